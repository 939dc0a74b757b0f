import type { BenchConfig } from '../config.js';

export type Cell = string | number;

/** One markdown table: what it shows, the columns, and a note on how to read it. */
export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  note?: string;
}

export interface ScenarioReport {
  id: string;
  tables: Table[];
  /** Every measured number, for bench/results/*.json. */
  raw: unknown;
}

export interface Scenario {
  id: string;
  run(config: BenchConfig): Promise<ScenarioReport>;
}
