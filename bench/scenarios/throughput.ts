import type { ClaimStore } from '../clients/bench-client.js';
import { alternate, comparison, type Side } from '../comparison.js';
import { runEventRound } from '../event-round.js';
import { deleteKeysWithPrefix, uniqueRedisPrefix } from '../redis-keys.js';
import type { Measurement } from '../results.js';
import type { Scenario, ScenarioContext } from '../scenario.js';

const ACK_TIMEOUT_MS = 600_000;

/**
 * Message events over one connection with a handler that does nothing: how many events per
 * second each side takes from the first frame sent to the last ACK and last handler, whichever
 * is later. The kernel claims every event (and its message id) in the store first.
 */
const throughput: Scenario = {
  name: 'throughput',
  order: 1,
  description: 'no-op handler, events/s over one connection; kernel (claims in memory, then ' +
    'Redis) against the raw SDK',
  counts: { events: 20_000 },
  settings: { window: 1_000 },
  async run(context) {
    const results = [await measure(context, { type: 'memory' }, '>= 0.9')];
    if (!context.redisUrl) {
      context.progress('throughput: Redis variant skipped (no Redis)');
      return results;
    }
    const prefix = uniqueRedisPrefix();
    const store: ClaimStore = { type: 'redis', url: context.redisUrl, prefix };
    try {
      results.push(await measure(context, store, '>= 0.8', () =>
        deleteKeysWithPrefix(context.redisUrl!, prefix)));
    } finally {
      await deleteKeysWithPrefix(context.redisUrl, prefix);
    }
    return results;
  },
};

export default throughput;

async function measure(
  context: ScenarioContext,
  store: ClaimStore,
  target: string,
  afterKernelRound: () => Promise<unknown> = async () => {},
): Promise<Measurement> {
  const events = context.count('events');
  const window = context.setting('window');
  const once = async (side: Side): Promise<number> => {
    const round = await runEventRound(context, {
      side, events, window, ackTimeoutMs: ACK_TIMEOUT_MS,
      client: { handlerDelayMs: 0, store },
    });
    if (side === 'kernel') await afterKernelRound();
    const finishedAt = Math.max(round.push.lastAckAt, round.lastHandledAt);
    return events / ((finishedAt - round.push.firstSentAt) / 1000);
  };
  const paired = await alternate(
    { rounds: context.rounds, warmup: context.warmup, label: `throughput/${store.type}`,
      progress: context.progress },
    once,
    (eventsPerSecond) => `${Math.round(eventsPerSecond)} events/s`,
  );
  return comparison({
    scenario: 'throughput',
    metric: `events per second, claims in ${store.type}`,
    unit: 'events/s',
    target: `ratio ${target}`,
    note: `${events} im.message.receive_v1 events, ${window} ACKs outstanding at most`,
  }, paired);
}
