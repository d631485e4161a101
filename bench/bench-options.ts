/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  /** Scenario names to run; empty runs them all. */
  scenarios: string[];
  /** Counts divided by QUICK_DIVISOR: a run of a minute or so, for a first look. */
  quick: boolean;
  rounds: number;
  warmup: number;
  out: string;
  redisUrl: string;
  redis: boolean;
  /** `--set name=value`: overrides a count or setting a scenario reads by name. */
  overrides: Record<string, number>;
  list: boolean;
  help: boolean;
}

export const QUICK_DIVISOR = 10;

export const USAGE = `usage: npm run bench -- [options]
  --scenario <name>   run only this scenario (repeatable, or comma-separated)
  --quick             scale counts down ${QUICK_DIVISOR}x and run 3 rounds
  --rounds <n>        measured rounds per comparison (default 5, quick 3)
  --warmup <n>        unmeasured rounds first (default 1)
  --set <name=value>  override a scenario count or setting, e.g. --set events=500
  --no-redis          skip the Redis variants
  --redis-url <url>   default redis://127.0.0.1:6379 (or REDIS_URL)
  --out <file>        default bench/results/latest.json
  --list              list the scenarios and their settings, then exit`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    scenarios: [],
    quick: false,
    rounds: Number.NaN,
    warmup: 1,
    out: 'bench/results/latest.json',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redis: true,
    overrides: {},
    list: false,
    help: false,
  };
  const args = [...argv];
  while (args.length > 0) {
    const arg = args.shift()!;
    const value = () => takeValue(arg, args);
    switch (arg) {
      case '--scenario': options.scenarios.push(...value().split(',').filter(Boolean)); break;
      case '--quick': options.quick = true; break;
      case '--rounds': options.rounds = positiveInteger(arg, value()); break;
      case '--warmup': options.warmup = positiveInteger(arg, value(), 0); break;
      case '--set': addOverride(options.overrides, value()); break;
      case '--no-redis': options.redis = false; break;
      case '--redis-url': options.redisUrl = value(); break;
      case '--out': options.out = value(); break;
      case '--list': options.list = true; break;
      case '--help': case '-h': options.help = true; break;
      default: throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  if (Number.isNaN(options.rounds)) options.rounds = options.quick ? 3 : 5;
  return options;
}

function takeValue(flag: string, args: string[]): string {
  const value = args.shift();
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
  return value;
}

function positiveInteger(flag: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${flag} must be an integer >= ${min}, got "${text}"`);
  }
  return value;
}

function addOverride(overrides: Record<string, number>, text: string): void {
  const match = /^([a-z][a-z0-9-]*)=(\d+(?:\.\d+)?)$/.exec(text);
  if (!match) throw new Error(`--set expects name=number, got "${text}"`);
  overrides[match[1]!] = Number(match[2]);
}
