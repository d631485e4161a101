import { cardButtons } from '../../src/emulator/card-buttons.js';
import type { Emulator } from '../../src/emulator/index.js';
import type { SentMessage } from '../../src/emulator/types.js';

export const VAULT_KEY = Buffer.alloc(32, 7).toString('base64');

/** The app, store and logging lines every test configuration starts with, up to `plugins:`. */
export function kernelYamlHead(store = '{ type: memory }'): string {
  return `
app: { appId: "\${APP_ID}", appSecret: "\${APP_SECRET}", domain: "\${DOMAIN}" }
store: ${store}
logging: { level: debug }
plugins:`;
}

/** A kernel config with the two authorization plugins and a requester, for the e2e tests. */
export function authYaml(options: {
  name: string; flow?: 'device' | 'redirect'; store?: string; extra?: string;
  sessionTtlMinutes?: number; language?: 'zh' | 'en' | 'both';
  /** More card-auth options, one `key: value` per line. */
  cardAuth?: string[];
  /** card-auth's polling.maxPerSecond (default: the plugin's). */
  pollsPerSecond?: number;
}): string {
  return `${kernelYamlHead(options.store)}
  - use: session-manager
    options:
      encryptionKey: "${VAULT_KEY}"
      sessionTtlMinutes: ${options.sessionTtlMinutes ?? 10}
  - use: card-auth
    options:
      flow: ${options.flow ?? 'device'}
      openInFeishu: false
      language: ${options.language ?? 'en'}
${cardAuthLines(options.cardAuth)}      # A short slow_down step keeps the test quick; the default is RFC 8628's 5 s.
      polling: { scanMs: 50, leaseMs: 1000, slowDownStepMs: 100${options.pollsPerSecond
    ? `, maxPerSecond: ${options.pollsPerSecond}` : ''} }
      redirect: { port: 0 }
${options.extra ?? ''}
  - use: ../plugins/auth-requester.ts
    options: { name: ${options.name} }
`;
}

function cardAuthLines(lines: string[] = []): string {
  return lines.map((line) => `      ${line}\n`).join('');
}

export type Card = {
  header: { title: { content: string } };
  body: { elements: Record<string, unknown>[] };
};

/** The card as the user sees it now: the last patch, else what was sent. */
export function currentCard(message: SentMessage): Card {
  return JSON.parse(message.patches.at(-1) ?? message.content) as Card;
}

function buttons(card: Card): Record<string, unknown>[] {
  return cardButtons(card.body.elements);
}

/** The callback value of the button labelled `label`. */
export function callbackValue(card: Card, label: string): unknown {
  const button = buttons(card).find((b) =>
    (b['text'] as { content: string }).content === label);
  const behaviors = button?.['behaviors'] as { type: string; value?: unknown }[] | undefined;
  return behaviors?.find((behavior) => behavior.type === 'callback')?.value;
}

/** The URL the consent button opens, once the card shows it. */
export function consentUrl(card: Card): string | undefined {
  for (const button of buttons(card)) {
    const behaviors = button['behaviors'] as { type: string; default_url?: string }[];
    const open = behaviors.find((behavior) => behavior.type === 'open_url');
    if (open?.default_url) return open.default_url;
  }
  return undefined;
}

export async function waitForCard(emulator: Emulator, messageId: string,
  predicate: (card: Card) => boolean, timeoutMs = 10_000): Promise<Card> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = emulator.sentMessages().find((m) => m.messageId === messageId);
    if (message && predicate(currentCard(message))) return currentCard(message);
    if (Date.now() > deadline) {
      throw new Error(`card of ${messageId} never matched; now: ${JSON.stringify(
        message && currentCard(message))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const titleOf = (card: Card) => card.header.title.content;
