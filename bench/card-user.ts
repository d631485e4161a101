import type { Emulator } from '../src/emulator/index.js';
import type { SentMessage } from '../src/emulator/types.js';
import type { AuthorizeBatch, AuthorizeReport } from './emulator-protocol.js';

/** How long a user waits for the consent link to appear on the card. */
const CONSENT_LINK_WAIT_MS = 60_000;
const CARD_POLL_MS = 25;

/**
 * The users' side of the authorization benchmark, on the emulator's thread: each user clicks
 * Authorize on the card sent to them, then opens the consent link the card shows and consents.
 * Clicks come at a set rate (open loop), or, with no rate, at most `window` await their
 * answer at once (closed loop).
 */
export async function authorizeAsUsers(
  emulator: Emulator,
  batch: AuthorizeBatch,
): Promise<AuthorizeReport> {
  const cards = new Map(emulator.sentMessages().map((message) => [message.messageId, message]));
  const report: AuthorizeReport = { clickLatenciesMs: [], failedClicks: 0, withoutConsentLink: 0 };
  const consents: Promise<void>[] = [];
  const click = async (user: AuthorizeBatch['users'][number]): Promise<void> => {
    const card = cards.get(user.messageId);
    const value = card && callbackValue(JSON.parse(card.content), 'authorize');
    if (!card || value === undefined) {
      report.failedClicks++;
      return;
    }
    const { ack } = await emulator.clickCard({ operatorOpenId: user.openId,
      messageId: user.messageId, chatId: batch.chatId, value });
    if (ack.timedOut || ack.code !== 200) {
      report.failedClicks++;
      return;
    }
    report.clickLatenciesMs.push(ack.latencyMs);
    consents.push(consent(emulator, card, ack.data, user.openId, report));
  };
  if (batch.ratePerSecond > 0) {
    await clickAtRate(batch, click);
  } else {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batch.users.length) await click(batch.users[next++]!);
    };
    await Promise.all(Array.from({ length: Math.max(1, batch.window) }, worker));
  }
  await Promise.all(consents);
  return report;
}

/**
 * Open loop: click i starts at i / rate seconds, whether or not earlier clicks were answered,
 * so a slow answer shows in the latencies instead of delaying the clicks after it.
 */
async function clickAtRate(batch: AuthorizeBatch,
  click: (user: AuthorizeBatch['users'][number]) => Promise<void>): Promise<void> {
  const started = performance.now();
  const clicks: Promise<void>[] = [];
  for (const [i, user] of batch.users.entries()) {
    const wait = started + (i * 1000) / batch.ratePerSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    clicks.push(click(user));
  }
  await Promise.all(clicks);
}

/** Opens the consent link from the answer, or from the card once it is updated. */
async function consent(emulator: Emulator, card: SentMessage, answer: unknown, openId: string,
  report: AuthorizeReport): Promise<void> {
  const deadline = Date.now() + CONSENT_LINK_WAIT_MS;
  let url = findOpenUrl(answer);
  while (!url && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, CARD_POLL_MS));
    const latest = card.patches.at(-1);
    url = latest === undefined ? undefined : findOpenUrl(JSON.parse(latest));
  }
  if (!url) {
    report.withoutConsentLink++;
    return;
  }
  emulator.oauth.openVerificationPage(url, openId);
}

/** The value of the card's callback button whose value says `cardAuth: <action>`. */
function callbackValue(card: unknown, action: string): unknown {
  let found: unknown;
  walk(card, (node) => {
    const value = node['value'] as { cardAuth?: unknown } | undefined;
    if (found === undefined && node['type'] === 'callback' && value?.cardAuth === action) {
      found = value;
    }
  });
  return found;
}

function findOpenUrl(tree: unknown): string | undefined {
  let found: string | undefined;
  walk(tree, (node) => {
    if (found === undefined && node['type'] === 'open_url'
      && typeof node['default_url'] === 'string') {
      found = node['default_url'];
    }
  });
  return found;
}

function walk(node: unknown, visit: (record: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node && typeof node === 'object') {
    visit(node as Record<string, unknown>);
    for (const value of Object.values(node)) walk(value, visit);
  }
}
