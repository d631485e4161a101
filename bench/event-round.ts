import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BENCH_APP, type BenchClient, type ClientSettings } from './clients/bench-client.js';
import { startKernelClient } from './clients/kernel-client.js';
import { startRawSdkClient } from './clients/raw-sdk-client.js';
import type { Side } from './comparison.js';
import type { PushReport } from './emulator-protocol.js';
import { probe } from './handler-probe.js';
import type { ScenarioContext } from './scenario.js';

/** How long after the last ACK the handlers may still run before the round is declared broken. */
const HANDLER_GRACE_MS = 120_000;

export interface EventRoundPlan {
  side: Side;
  events: number;
  /** ACKs outstanding at once; `events` pushes everything at once. */
  window: number;
  client: Omit<ClientSettings, 'baseUrl'>;
  /** The emulator's ACK deadline; longer than the handler so slow ACKs are measured. */
  ackTimeoutMs: number;
}

export interface EventRoundResult {
  push: PushReport;
  /** When the last handler finished (wall clock, ms). */
  lastHandledAt: number;
  /**
   * Time the client's thread (kernel or SDK, and the handlers) was busy from the push until
   * the last handler finished: its CPU cost, whatever pace the emulator set.
   */
  clientBusyMs: number;
}

/**
 * One measured batch against a fresh emulator and a fresh client: connect, push `events`
 * message events, wait for every ACK and every handler, stop both. Event ids are unique per
 * round so a shared claim store never sees a repeat.
 */
export async function runEventRound(
  context: ScenarioContext,
  plan: EventRoundPlan,
): Promise<EventRoundResult> {
  const baseUrl = await context.emulator.start({ ...BENCH_APP, ackTimeoutMs: plan.ackTimeoutMs });
  let client: BenchClient | undefined;
  try {
    const settings = { ...plan.client, baseUrl };
    client = plan.side === 'kernel'
      ? await startKernelClient(settings)
      : await startRawSdkClient(settings);
    await context.emulator.waitForConnections(1);
    probe.expect(plan.events);
    const idPrefix = `evt_bench_${randomBytes(6).toString('hex')}`;
    const busyBefore = performance.eventLoopUtilization();
    const push = await context.emulator.push({ count: plan.events, window: plan.window, idPrefix });
    await handlersDone(plan.events);
    const clientBusyMs = performance.eventLoopUtilization(busyBefore).active;
    if (push.failed > 0) {
      throw new Error(`${plan.side}: ${push.failed} of ${plan.events} ACKs failed or timed out`);
    }
    return { push, lastHandledAt: probe.lastHandledAt, clientBusyMs };
  } finally {
    await client?.stop();
    await context.emulator.stop();
  }
}

async function handlersDone(expected: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(
      `only ${probe.handled} of ${expected} handlers ran within ${HANDLER_GRACE_MS} ms`,
    )), HANDLER_GRACE_MS);
  });
  try {
    await Promise.race([probe.completed(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
