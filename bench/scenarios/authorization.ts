import type { AuthorizationSession } from '../../plugins/session-manager/index.js';
import { BENCH_APP } from '../clients/bench-client.js';
import { BENCH_BOT, startAuthKernel, type AuthKernel } from '../clients/auth-kernel.js';
import type { Measurement } from '../results.js';
import { RssSampler } from '../rss-sampler.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { BENCH_AUTH_CHAT as CHAT, requestAll } from '../session-requests.js';
import { summarize } from '../statistics.js';

const MIB = 1024 * 1024;

/**
 * Many users authorize at once through the device flow: the kernel sends every card
 * (card-auth requestAuthorization), then each user clicks Authorize, consents on the
 * emulator's verification page, and the kernel's poller completes the session. The users'
 * side runs on the emulator's thread; the kernel, its plugins and its poller on this one.
 */
const authorization: Scenario = {
  name: 'authorization',
  order: 3,
  description: 'device-flow authorization sessions open at once: all completed, card-callback ' +
    'answer p95, peak RSS',
  counts: { sessions: 1_000 },
  settings: { 'device-interval-ms': 1_000, 'polls-per-second': 50, 'request-window': 50,
    'click-rate': 100,
    'click-window': 50, 'stall-timeout-s': 15 },
  async run(context) {
    const sessions = context.count('sessions');
    const baseUrl = await context.emulator.start({ ...BENCH_APP, ackTimeoutMs: 10_000,
      bot: BENCH_BOT, deviceIntervalSeconds: context.setting('device-interval-ms') / 1000 });
    let kernel: AuthKernel | undefined;
    try {
      kernel = await startAuthKernel(baseUrl, { sessionTtlMinutes: 60,
        pollsPerSecond: context.setting('polls-per-second') });
      return await measure(context, kernel, sessions);
    } finally {
      await kernel?.stop();
      await context.emulator.stop();
    }
  },
};

export default authorization;

async function measure(context: ScenarioContext, kernel: AuthKernel,
  sessions: number): Promise<Measurement[]> {
  const rss = new RssSampler();
  const ended = new Map<string, AuthorizationSession>();
  kernel.auth.onAuthorizationEnded((session) => ended.set(session.id, session));

  const requestStart = performance.now();
  const { tickets, retries } = await requestAll(kernel.auth, sessions,
    context.setting('request-window'), 'auth');
  const requestSeconds = (performance.now() - requestStart) / 1000;
  context.progress(`authorization: ${tickets.length} cards sent in ${requestSeconds.toFixed(1)} s`);

  const flowStart = performance.now();
  const users = tickets.map((ticket) =>
    ({ openId: ticket.session.openId, messageId: ticket.session.messageId! }));
  const rate = context.setting('click-rate');
  const clicks = await context.emulator.authorize({ chatId: CHAT, users,
    window: context.setting('click-window'), ratePerSecond: rate });
  context.progress(`authorization: ${clicks.clickLatenciesMs.length} clicks answered, ` +
    `${clicks.failedClicks} failed, ${clicks.withoutConsentLink} without a consent link`);
  await allEndedOrStalled(() => ended.size, sessions, context.setting('stall-timeout-s') * 1000);
  const flowSeconds = (performance.now() - flowStart) / 1000;
  const peakRss = rss.stop();

  const completed = [...ended.values()].filter((s) => s.state === 'completed').length;
  const outcomes = await cardOutcomes(kernel);
  const answers = summarize(clicks.clickLatenciesMs.length > 0 ? clicks.clickLatenciesMs : [0]);
  const interval = context.setting('device-interval-ms');
  const arrivals = rate > 0 ? `users clicking at ${rate} clicks/s (open loop)`
    : `${context.setting('click-window')} clicks awaiting their answer at once (closed loop)`;
  const note = `${sessions} sessions open at once, ${arrivals}, ` +
    `device flow polled every ${interval} ms, at most ` +
    `${context.setting('polls-per-second')} polls a second; ` +
    `${retries} requests asked again after an error, ` +
    `${clicks.failedClicks} clicks failed, ${clicks.withoutConsentLink} cards without a ` +
    `consent link; ended ${describeStates(ended)}, ${sessions - ended.size} still open; ` +
    `card answers by outcome: ${outcomes}; one run`;
  const at = (metric: string, value: number, unit: string, target?: string): Measurement =>
    ({ scenario: 'authorization', metric, value, unit, note, ...(target && { target }) });
  return [
    at('sessions completed', completed, 'sessions', `= ${sessions}`),
    at('card-callback answer p50', answers.p50, 'ms'),
    at('card-callback answer p95', answers.p95, 'ms', '< 100'),
    at('cards sent (requestAuthorization)', tickets.length / requestSeconds, 'sessions/s'),
    at('first click to last session completed', flowSeconds, 's'),
    at('peak RSS', peakRss / MIB, 'MiB'),
  ];
}

/**
 * Resolves when every session has ended, or when none has ended for `stallMs`: a session
 * still open then is reported as not completed rather than waited for until it expires.
 */
function allEndedOrStalled(ended: () => number, total: number, stallMs: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = ended();
    let lastChangeAt = performance.now();
    const timer = setInterval(() => {
      const now = ended();
      if (now !== seen) {
        seen = now;
        lastChangeAt = performance.now();
      }
      if (now >= total || performance.now() - lastChangeAt > stallMs) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
  });
}

function describeStates(ended: Map<string, AuthorizationSession>): string {
  const counts = new Map<string, number>();
  for (const session of ended.values()) {
    counts.set(session.state, (counts.get(session.state) ?? 0) + 1);
  }
  return [...counts].map(([state, count]) => `${state} ${count}`).join(', ') || 'none';
}

/** The kernel's own count of card answers by outcome (over_budget: the "processing" toast). */
async function cardOutcomes(kernel: AuthKernel): Promise<string> {
  const { values } = await kernel.kernel.metrics.cardCallbacks.get();
  return values.map((v) => `${v.labels.outcome} ${v.value}`).join(', ') || 'none';
}
