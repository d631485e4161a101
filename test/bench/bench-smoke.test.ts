import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport, Measurement } from '../../bench/results.js';
import { median } from '../../bench/statistics.js';
import { REDIS_URL } from '../support/redis.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HANDLER_MS = 150;
const TINY = ['--rounds', '2', '--warmup', '0', '--set', 'events=30', '--set', 'window=8',
  '--set', `handler-ms=${HANDLER_MS}`, '--redis-url', REDIS_URL];

let outDir: string;

/** Runs the compiled bench runner as `npm run bench` does, with tiny counts. */
async function bench(args: string[]): Promise<BenchReport> {
  const out = path.join(outDir, `${args.join('-').replace(/[^a-z0-9-]/gi, '')}.json`);
  await run(process.execPath, ['dist/bench/run.js', ...TINY, ...args, '--out', out],
    { cwd: root, timeout: 180_000 });
  return JSON.parse(await readFile(out, 'utf8')) as BenchReport;
}

function comparisonShape(entry: Measurement): void {
  expect(entry).toMatchObject({ scenario: expect.any(String), metric: expect.any(String),
    unit: expect.any(String) });
  expect(entry.value).toBe(entry.kernel);
  const rounds = entry.rounds as { kernel: number[]; raw: number[] };
  expect(rounds.kernel).toHaveLength(2);
  expect(rounds.raw).toHaveLength(2);
}

/** Keys still under the prefix a Redis measurement names in its note. */
async function keysLeftBehind(entry: Measurement): Promise<number> {
  const prefix = /lark-bench-\d+-[0-9a-f]{12}/.exec(entry.note ?? '')?.[0];
  expect(prefix).toBeDefined();
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    let left = 0;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
      left += keys.length;
    }
    return left;
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'lark-bench-'));
  await run('npx', ['tsc', '-p', 'tsconfig.bench.json'], { cwd: root, timeout: 170_000 });
}, 180_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('npm run bench (tiny counts)', () => {
  it('records the machine it ran on', async () => {
    const report = await bench(['--scenario', 'throughput', '--no-redis']);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.cpuModel).not.toBe('');
    expect(report.machine.totalMemoryBytes).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(report.settings).toMatchObject({ rounds: 2, scenarios: ['throughput'] });
  }, 180_000);

  it('measures throughput of both sides, in memory and in Redis, with their ratio', async () => {
    const report = await bench(['--scenario', 'throughput']);
    expect(report.failures).toBeUndefined();
    const redis = report.settings.redis === true;
    const rates = report.results.filter((m) => m.unit === 'events/s');
    expect(rates.map((m) => m.metric)).toEqual([
      'events per second, claims in memory',
      ...(redis ? ['events per second, claims in redis'] : []),
    ]);
    for (const entry of report.results) {
      comparisonShape(entry);
      expect(entry.kernel).toBeGreaterThan(0);
      expect(entry.raw).toBeGreaterThan(0);
      const rounds = entry.rounds as { kernel: number[]; raw: number[] };
      expect(entry.ratio).toBeCloseTo(median(rounds.kernel.map((k, n) => k / rounds.raw[n]!)), 9);
    }
    if (redis) expect(await keysLeftBehind(rates[1]!)).toBe(0);
  }, 180_000);

  it('measures ACK latency under slow handlers; the raw SDK ACKs after its handler', async () => {
    const report = await bench(['--scenario', 'ack-latency', '--no-redis']);
    expect(report.results.every((m) => m.scenario === 'ack-latency')).toBe(true);
    const p50 = report.results.find((m) => m.metric === 'ACK p50')!;
    const p99 = report.results.find((m) => m.metric === 'ACK p99')!;
    comparisonShape(p50);
    comparisonShape(p99);
    expect(p50.raw).toBeGreaterThanOrEqual(HANDLER_MS);
    expect(p99.raw).toBeGreaterThanOrEqual(p50.raw!);
    expect(p99.kernel).toBeGreaterThanOrEqual(p50.kernel!);
    expect(p50.kernel).toBeGreaterThan(0);
  }, 180_000);

  it('takes authorization sessions through the device flow: every one completes', async () => {
    const report = await bench(['--scenario', 'authorization', '--set', 'sessions=6',
      '--set', 'device-interval-ms=50']);
    expect(report.failures).toBeUndefined();
    const figure = (metric: string) => report.results.find((m) => m.metric === metric)!;
    expect(figure('sessions completed').value).toBe(6);
    expect(figure('card-callback answer p95').value)
      .toBeGreaterThanOrEqual(figure('card-callback answer p50').value);
    expect(figure('card-callback answer p50').value).toBeGreaterThan(0);
    expect(figure('peak RSS').value).toBeGreaterThan(0);
  }, 180_000);

  it('measures the memory of open sessions in a kernel process of its own', async () => {
    const report = await bench(['--scenario', 'session-memory', '--set', 'sessions=40',
      '--set', 'warmup-sessions=5']);
    expect(report.failures).toBeUndefined();
    const perSession = report.results.find((m) => m.metric === 'RSS per open session')!;
    expect(Number.isFinite(perSession.value)).toBe(true);
    expect(perSession.note).toContain('40 pending device-flow sessions');
    const held = report.results.find((m) => m.metric === 'kernel RSS holding the sessions')!;
    expect(held.value).toBeGreaterThan(0);
  }, 180_000);

  it('refreshes every stored user once across three kernels on Redis, without 20064', async () => {
    const report = await bench(['--scenario', 'refresh', '--set', 'users=9']);
    expect(report.failures).toBeUndefined();
    if (report.settings.redis !== true) return;
    const figure = (metric: string) => report.results.find((m) => m.metric === metric)!;
    expect(figure('users refreshed').value).toBe(9);
    expect(figure('refresh requests made').value).toBe(9);
    expect(figure('20064 errors').value).toBe(0);
    expect(figure('time to refresh all').value).toBeGreaterThan(0);
  }, 180_000);
});
