import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseBenchOptions, QUICK_DIVISOR, USAGE, type BenchOptions } from './bench-options.js';
import { EmulatorThread } from './emulator-thread.js';
import { createProgress } from './progress.js';
import { describeMachine, type BenchReport, type Measurement } from './results.js';
import type { Scenario, ScenarioContext } from './scenario.js';
import { loadScenarios, selectScenarios } from './scenario-catalogue.js';
import { redisAnswers } from './redis-keys.js';
import { formatTable } from './table.js';

/** `npm run bench`: runs the scenarios, prints a table, writes the JSON report. */
async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchOptions(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const all = await loadScenarios();
  if (options.list) {
    process.stdout.write(`${all.map(describeScenario).join('\n')}\n`);
    return 0;
  }
  const scenarios = selectScenarios(all, options.scenarios);
  const startedAt = Date.now();
  const progress = createProgress(startedAt);
  const redisUrl = await usableRedis(options, progress);
  const emulator = new EmulatorThread();
  const results: Measurement[] = [];
  const failures: string[] = [];
  try {
    for (const scenario of scenarios) {
      progress(`${scenario.name}: ${scenario.description}`);
      try {
        const context = contextFor(scenario, options, redisUrl, emulator, progress);
        results.push(...await scenario.run(context));
      } catch (err) {
        failures.push(`${scenario.name}: ${String((err as Error).message).split('\n')[0]}`);
        progress(`${scenario.name} FAILED: ${(err as Error).stack ?? err}`);
      }
    }
  } finally {
    await emulator.close();
  }
  const report: BenchReport = {
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    machine: describeMachine(),
    settings: { quick: options.quick, rounds: options.rounds, warmup: options.warmup,
      overrides: options.overrides, redis: redisUrl !== undefined,
      scenarios: scenarios.map((scenario) => scenario.name) },
    results,
    ...(failures.length > 0 && { failures }),
  };
  await writeReport(options.out, report);
  process.stdout.write(`\n${formatTable(results)}\n\n`);
  process.stdout.write(`wrote ${options.out} in ${(report.durationMs / 1000).toFixed(1)} s\n`);
  for (const failure of failures) process.stdout.write(`FAILED ${failure}\n`);
  return failures.length > 0 ? 1 : 0;
}

function contextFor(
  scenario: Scenario,
  options: BenchOptions,
  redisUrl: string | undefined,
  emulator: EmulatorThread,
  progress: (message: string) => void,
): ScenarioContext {
  const read = (name: string, defaults: Readonly<Record<string, number>> | undefined) => {
    const value = options.overrides[name] ?? defaults?.[name];
    if (value === undefined) throw new Error(`scenario ${scenario.name} has no setting "${name}"`);
    return value;
  };
  return {
    count: (name) => {
      if (options.overrides[name] !== undefined) return options.overrides[name];
      const full = read(name, scenario.counts);
      return options.quick ? Math.max(1, Math.round(full / QUICK_DIVISOR)) : full;
    },
    setting: (name) => read(name, scenario.settings),
    rounds: options.rounds,
    warmup: options.warmup,
    redisUrl,
    emulator,
    progress,
  };
}

async function usableRedis(
  options: BenchOptions,
  progress: (message: string) => void,
): Promise<string | undefined> {
  if (!options.redis) return undefined;
  if (await redisAnswers(options.redisUrl)) return options.redisUrl;
  progress(`no Redis at ${options.redisUrl}: Redis variants are skipped`);
  return undefined;
}

async function writeReport(file: string, report: BenchReport): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}

function describeScenario(scenario: Scenario): string {
  const figures = { ...scenario.counts, ...scenario.settings };
  const list = Object.entries(figures).map(([name, value]) => `${name}=${value}`).join(' ');
  return `${scenario.name.padEnd(14)} ${scenario.description}\n${' '.repeat(15)}${list}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).message ?? err}\n`);
    process.exitCode = 2;
  },
);
