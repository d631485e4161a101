import { alternate, comparison, type Paired, type Side } from '../comparison.js';
import { runEventRound } from '../event-round.js';
import type { Measurement } from '../results.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { summarize, type Summary } from '../statistics.js';

/** The platform's ACK deadline: a later ACK is a failed delivery and gets re-pushed. */
const PLATFORM_ACK_DEADLINE_MS = 3_000;

/**
 * Events whose handler takes seconds, all pushed at once: time from frame sent to ACK
 * received. The raw SDK awaits the handler before it ACKs; the kernel ACKs first.
 */
const ackLatency: Scenario = {
  name: 'ack-latency',
  order: 2,
  description: 'slow handlers (5 s): p50/p99 frame-sent to ACK-received, kernel against raw SDK',
  counts: { events: 200 },
  settings: { 'handler-ms': 5_000 },
  async run(context) {
    const events = context.count('events');
    const handlerMs = context.setting('handler-ms');
    const paired = await alternate(
      { rounds: context.rounds, warmup: context.warmup, label: 'ack-latency',
        progress: context.progress },
      (side) => measureRound(context, side, events, handlerMs),
      (s) => `p50 ${s.latency.p50.toFixed(1)} ms, p99 ${s.latency.p99.toFixed(1)} ms`,
    );
    return report(paired, events, handlerMs);
  },
};

export default ackLatency;

interface RoundFigures {
  latency: Summary;
  pastDeadline: number;
}

async function measureRound(
  context: ScenarioContext,
  side: Side,
  events: number,
  handlerMs: number,
): Promise<RoundFigures> {
  const round = await runEventRound(context, {
    side,
    events,
    window: events,
    ackTimeoutMs: handlerMs + 60_000,
    // Every handler may run at once, so the round ends when the last 5 s handler does; the
    // kernel ACKs before queueing, so this does not change the latency measured.
    client: { handlerDelayMs: handlerMs, store: { type: 'memory' }, handlerConcurrency: events },
  });
  const latencies = round.push.ackLatenciesMs;
  return {
    latency: summarize(latencies),
    pastDeadline: latencies.filter((ms) => ms > PLATFORM_ACK_DEADLINE_MS).length,
  };
}

function report(paired: Paired<RoundFigures>, events: number, handlerMs: number): Measurement[] {
  const pick = (f: (r: RoundFigures) => number): Paired<number> =>
    ({ kernel: paired.kernel.map(f), raw: paired.raw.map(f) });
  const note = `${events} events pushed at once, handler ${handlerMs} ms`;
  return [
    comparison({ scenario: 'ack-latency', metric: 'ACK p50', unit: 'ms', note },
      pick((r) => r.latency.p50)),
    comparison({ scenario: 'ack-latency', metric: 'ACK p99', unit: 'ms', target: 'kernel < 50',
      note }, pick((r) => r.latency.p99)),
    comparison({ scenario: 'ack-latency', metric: 'ACKs later than 3 s (re-pushed)',
      unit: 'events', target: 'kernel 0', note }, pick((r) => r.pastDeadline)),
  ];
}
