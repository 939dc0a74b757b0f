/** The demo's knobs. Every one has a default, so `npm run demo` needs none. */
export interface DemoOptions {
  /** Requests in flight at any moment. */
  concurrency: number;
  /** How long traffic runs. */
  seconds: number;
  /** Access token lifetime the authorization server issues. */
  tokenTtlSeconds: number;
}

export const DEFAULTS: DemoOptions = { concurrency: 32, seconds: 15, tokenTtlSeconds: 4 };

const USAGE = `Usage: npm run demo -- [--concurrency N] [--seconds N] [--token-ttl N]
  --concurrency  requests in flight at once       (default ${DEFAULTS.concurrency})
  --seconds      how long to send traffic         (default ${DEFAULTS.seconds})
  --token-ttl    access token lifetime in seconds (default ${DEFAULTS.tokenTtlSeconds})`;

const FLAGS: Record<string, keyof DemoOptions> = {
  '--concurrency': 'concurrency',
  '--seconds': 'seconds',
  '--token-ttl': 'tokenTtlSeconds',
};

/** Reads `--name value` or `--name=value`; prints usage and exits on `--help` or a bad value. */
export function parseArgs(argv: readonly string[]): DemoOptions {
  const options = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    if (flag === '--help' || flag === '-h') exit(USAGE, 0);
    const key = FLAGS[flag];
    if (key === undefined) exit(`Unknown option ${flag}\n${USAGE}`, 2);
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) exit(`${flag} needs a positive number, got ${raw ?? 'nothing'}\n${USAGE}`, 2);
    options[key] = key === 'seconds' ? value : Math.ceil(value);
  }
  return options;
}

function exit(message: string, code: number): never {
  (code === 0 ? console.log : console.error)(message);
  process.exit(code);
}
