import type { ClaimStore } from '../clients/bench-client.js';
import { alternate, comparison, type Paired, type Side } from '../comparison.js';
import { runEventRound } from '../event-round.js';
import { deleteKeysWithPrefix, uniqueRedisPrefix } from '../redis-keys.js';
import type { Measurement } from '../results.js';
import type { Scenario, ScenarioContext } from '../scenario.js';

const ACK_TIMEOUT_MS = 600_000;

/**
 * Message events over one connection with a handler that does nothing. Two figures per side:
 * events per second of wall time, from the first frame sent to the last ACK or handler
 * (whichever is later), and events per second of the client thread's busy time, which is
 * what the kernel costs whatever pace the emulator sets. The kernel claims every event (and
 * its message id) in the store before dispatch.
 */
const throughput: Scenario = {
  name: 'throughput',
  order: 1,
  description: 'no-op handler, events/s over one connection; kernel (claims in memory, then ' +
    'Redis) against the raw SDK',
  counts: { events: 20_000 },
  settings: { window: 1_000 },
  async run(context) {
    const results = await measure(context, { type: 'memory' }, '>= 0.9');
    if (!context.redisUrl) {
      context.progress('throughput: Redis variant skipped (no Redis)');
      return results;
    }
    const prefix = uniqueRedisPrefix();
    const store: ClaimStore = { type: 'redis', url: context.redisUrl, prefix };
    try {
      results.push(...await measure(context, store, '>= 0.8', () =>
        deleteKeysWithPrefix(context.redisUrl!, prefix)));
    } finally {
      await deleteKeysWithPrefix(context.redisUrl, prefix);
    }
    return results;
  },
};

export default throughput;

interface RoundFigures {
  eventsPerSecond: number;
  eventsPerBusySecond: number;
  emulatorUtilization: number;
}

async function measure(
  context: ScenarioContext,
  store: ClaimStore,
  target: string,
  afterKernelRound: () => Promise<unknown> = async () => {},
): Promise<Measurement[]> {
  const events = context.count('events');
  const window = context.setting('window');
  const once = async (side: Side): Promise<RoundFigures> => {
    const round = await runEventRound(context, {
      side, events, window, ackTimeoutMs: ACK_TIMEOUT_MS,
      client: { handlerDelayMs: 0, store },
    });
    if (side === 'kernel') await afterKernelRound();
    const finishedAt = Math.max(round.push.lastAckAt, round.lastHandledAt);
    return {
      eventsPerSecond: events / ((finishedAt - round.push.firstSentAt) / 1000),
      eventsPerBusySecond: events / (round.clientBusyMs / 1000),
      emulatorUtilization: round.push.emulatorUtilization,
    };
  };
  const paired = await alternate(
    { rounds: context.rounds, warmup: context.warmup, label: `throughput/${store.type}`,
      progress: context.progress },
    once,
    (r) => `${Math.round(r.eventsPerSecond)} events/s, client ` +
      `${Math.round(r.eventsPerBusySecond)} events/busy s, emulator busy ` +
      `${Math.round(r.emulatorUtilization * 100)}%`,
  );
  const keys = store.type === 'redis' ? `; claims under ${store.prefix}:*, deleted after` : '';
  return report(paired, store.type, target, `${events} im.message.receive_v1 events, ` +
    `at most ${window} awaiting their ACK${keys}`);
}

function report(
  paired: Paired<RoundFigures>,
  storeType: string,
  target: string,
  note: string,
): Measurement[] {
  const pick = (f: (r: RoundFigures) => number): Paired<number> =>
    ({ kernel: paired.kernel.map(f), raw: paired.raw.map(f) });
  return [
    comparison({ scenario: 'throughput', metric: `events per second, claims in ${storeType}`,
      unit: 'events/s', target: `ratio ${target}`, note }, pick((r) => r.eventsPerSecond)),
    comparison({ scenario: 'throughput',
      metric: `client thread capacity, claims in ${storeType}`, unit: 'events/busy s',
      target: `ratio ${target}`,
      note: `${note}; events per second of the client thread's busy time` },
    pick((r) => r.eventsPerBusySecond)),
    comparison({ scenario: 'throughput', metric: `emulator thread busy, claims in ${storeType}`,
      unit: 'share', note: 'near 1: the emulator set the pace of the wall-clock figure' },
    pick((r) => r.emulatorUtilization)),
  ];
}
