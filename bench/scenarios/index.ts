import { dpopScenario } from './dpop.js';
import { hotPath } from './hot-path.js';
import { late401Scenario } from './late-401.js';
import { observabilityScenario } from './observability.js';
import { proactiveScenario } from './proactive.js';
import { redisReplicasScenario } from './redis-replicas.js';
import { refreshFailureScenario } from './refresh-failure.js';
import { routesScenario } from './routes.js';
import { scaleScenario } from './scale.js';
import { stormScenario } from './storm.js';
import type { Scenario } from './types.js';

/** Run order: the timing-sensitive hot path first, while the heap is small. */
export const SCENARIOS: readonly Scenario[] = [
  hotPath,
  routesScenario,
  dpopScenario,
  observabilityScenario,
  stormScenario,
  late401Scenario,
  proactiveScenario,
  scaleScenario,
  refreshFailureScenario,
  redisReplicasScenario,
];
