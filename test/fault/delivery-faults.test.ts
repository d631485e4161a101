import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Emulator } from '../../src/emulator/index.js';
import type { AckRecord } from '../../src/emulator/types.js';
import { describeWithRedis, REDIS_URL } from '../support/redis.js';
import { KernelFleet } from './support/kernel-fleet.js';
import { transpileTree } from './support/transpile.js';

/*
 * The delivery guarantee under faults: three kernels (child processes) share one Redis; the
 * emulator pushes every event to a random connection, cuts a connection every few seconds,
 * pushes a tenth of the events a second time, reads ACKs late (some past the 3 s rule, which
 * makes it re-push), and one kernel is killed with SIGKILL mid-run and started again.
 * FAULT_EVENTS sets the number of events (default 10,000).
 */
const EVENTS = Number(process.env.FAULT_EVENTS ?? 10_000);
const PUSH_CONCURRENCY = Number(process.env.FAULT_PUSH_CONCURRENCY ?? 600);
const CUT_EVERY_MS = 2_500;
const KERNELS = 3;
const EVENT_TYPE = 'fault.probe_v1';
const APP = { appId: 'cli_fa0172e5fa0172e5', appSecret: 'fault-suite-secret' };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const buildDir = path.join(root, 'node_modules/.cache/lark-service-fault-suite');
const prefix = `fault-suite:${process.pid}:${Date.now()}`;
const redis = createClient({ url: REDIS_URL });

let emulator: Emulator;
let fleet: KernelFleet;

function kernelConfig(): object {
  return {
    app: { ...APP, domain: emulator.baseUrl },
    store: { type: 'redis', url: REDIS_URL, prefix },
    logging: { level: 'info' },
    connection: { pingTimeoutSeconds: 3, backoff: { initialMs: 100, maxMs: 1_000 } },
    dispatch: {
      recoverIdleMs: 5_000,
      handlerConcurrency: 16,
      retry: { attempts: 3, backoffMs: 100, maxBackoffMs: 500 },
    },
    plugins: [{
      use: path.join(buildDir, 'test/fault/child/effect-counter.js'),
      options: { redisUrl: REDIS_URL, keyPrefix: `${prefix}:probe`, eventType: EVENT_TYPE,
        maxDelayMs: 40 },
    }],
  };
}

function probeEvent(index: number): object {
  return {
    schema: '2.0',
    header: { event_id: `${prefix}:evt:${index}`, event_type: EVENT_TYPE,
      create_time: String(Date.now()), app_id: APP.appId, tenant_key: 'tk_fault' },
    event: { index },
  };
}

/** The platform keeps trying while no connection is open; so does this driver. */
async function push(index: number, acks: AckRecord[]): Promise<void> {
  for (;;) {
    try {
      acks.push(await emulator.pushEvent(probeEvent(index), { appId: APP.appId }));
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'LARK_E_EMULATOR_NO_CONNECTION') throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describeWithRedis('delivery under faults', () => {
  beforeAll(async () => {
    await transpileTree(root, ['src', 'plugins', 'test/fault/child'], buildDir);
    await writeFile(path.join(buildDir, 'package.json'), '{"type":"module"}\n');
    await rm(path.join(buildDir, 'logs'), { recursive: true, force: true });
    await mkdir(path.join(buildDir, 'logs'), { recursive: true });
    await redis.connect();
    emulator = await Emulator.start({
      apps: [APP],
      clientConfig: { PingInterval: 2, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 },
      duplicates: { fraction: 0.1, delayMs: 300 },
      ackReadDelayMs: { min: 0, max: 3_100 },
      repush: { enabled: true, delaysMs: [500, 1_500, 3_000, 6_000] },
    });
    fleet = new KernelFleet(path.join(buildDir, 'test/fault/child/fault-kernel.js'),
      () => kernelConfig(), path.join(buildDir, 'logs'));
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await emulator?.stop();
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) {
      if (keys.length > 0) await redis.del(keys);
    }
    redis.destroy();
  }, 30_000);

  it(`handles each of ${EVENTS} events exactly once: 3 kernels, a SIGKILL, cuts, re-pushes`,
    async () => {
      const started = Date.now();
      await fleet.start(KERNELS);
      await emulator.waitForConnections(KERNELS, { appId: APP.appId, timeoutMs: 20_000 });
      const faults = watchFaults();

      const acks: AckRecord[] = [];
      let restarted: Promise<void> | undefined;
      let pendingOnVictim = 0;
      let next = 0;
      const killAt = Math.floor(EVENTS * 0.4);
      const worker = async () => {
        while (next < EVENTS) {
          const index = next++;
          if (index === killAt) {
            pendingOnVictim = await untilVictimHoldsEntries(fleet.members[1]!.pid);
            fleet.kill(1);
            restarted = new Promise((r) => setTimeout(r, 1_000)).then(() => fleet.restart(1));
          }
          await push(index, acks);
        }
      };
      await Promise.all(Array.from({ length: PUSH_CONCURRENCY }, worker));
      await restarted;
      faults.stop();

      const journal = `${prefix}:delivery:journal`;
      await vi.waitFor(async () => {
        expect(emulator.deliveriesSettled()).toBe(true);
        expect(await redis.hLen(`${prefix}:probe:effects`)).toBe(EVENTS);
        expect(await redis.xLen(journal)).toBe(0);
      }, { timeout: 60_000, interval: 250 });

      const report = await tally(acks, { ...faults.counts(), pendingOnVictim },
        Date.now() - started);
      process.stdout.write(`\nfault suite: ${JSON.stringify(report, null, 2)}\n`);
      expect(report.missing).toEqual([]);
      expect(report.effectsNotOne).toEqual([]);
      expect(report.repeatsNotFromTheKill).toEqual([]);
    }, 240_000);
});

/** Waits (up to 2 s) until the kernel to be killed holds journal entries, to kill it mid-work. */
async function untilVictimHoldsEntries(pid: number): Promise<number> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const summary = await redis.xPending(`${prefix}:delivery:journal`, 'kernels');
    const mine = (summary.consumers ?? []).find((c) => c.name.includes(`:${pid}:`));
    const held = Number(mine?.deliveriesCounter ?? 0);
    if (held > 0 || Date.now() > deadline) return held;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function watchFaults() {
  const counts = { cuts: 0, duplicatePushes: 0, retryPushes: 0 };
  emulator.on('repush', (notice) => {
    if (notice.duplicate) counts.duplicatePushes++;
    else counts.retryPushes++;
  });
  const timer = setInterval(() => {
    const open = emulator.connections(APP.appId);
    const victim = open[Math.floor(Math.random() * open.length)];
    if (victim && emulator.dropConnection(victim.id)) counts.cuts++;
  }, CUT_EVERY_MS);
  return { counts: () => ({ ...counts }), stop: () => clearInterval(timer) };
}

async function tally(acks: AckRecord[], faults: object, elapsedMs: number) {
  const effects = await redis.hGetAll(`${prefix}:probe:effects`) as Record<string, string>;
  const invocations = await redis.hGetAll(`${prefix}:probe:invocations`) as Record<string, string>;
  const ids = Array.from({ length: EVENTS }, (_, index) => `${prefix}:evt:${index}`);
  const killed = new Set(fleet.killedPids.map(String));
  const runsOf = (id: string) => (invocations[id] ?? '').split(',').filter(Boolean);
  const repeated = ids.filter((id) => runsOf(id).length > 1);
  return {
    events: EVENTS,
    elapsedMs,
    firstPushAcks: { ok: acks.filter((a) => a.code === 200 && !a.timedOut).length,
      lateOrFailed: acks.filter((a) => a.code !== 200 || a.timedOut).length },
    faults: { ...faults, killedPids: fleet.killedPids },
    handledOnce: ids.filter((id) => effects[id] === '1').length,
    missing: ids.filter((id) => effects[id] === undefined),
    effectsNotOne: ids.filter((id) => effects[id] !== undefined && effects[id] !== '1'),
    journalEntriesRecovered: await countLogLines('journal entry recovered'),
    handlerRuns: ids.reduce((sum, id) => sum + runsOf(id).length, 0),
    eventsRunTwice: repeated.length,
    repeatsNotFromTheKill: repeated.filter(
      (id) => !runsOf(id).slice(0, -1).every((pid) => killed.has(pid))),
  };
}

/** How often the kernels logged `message` (their logs stay in the build folder). */
async function countLogLines(message: string): Promise<number> {
  const dir = path.join(buildDir, 'logs');
  let count = 0;
  for (const file of await readdir(dir)) {
    const text = await readFile(path.join(dir, file), 'utf8');
    count += text.split('\n').filter((line) => line.includes(`"msg":"${message}`)).length;
  }
  return count;
}
