import { cardButtons } from '../emulator/card-buttons.js';
import type { Emulator } from '../emulator/index.js';
import type { RequestLogEntry, SentMessage } from '../emulator/types.js';
import type { Logger } from './logger.js';

const HUMAN_PAUSE_MS = 800;
const PATCH_PATH = /^\/open-apis\/im\/v1\/messages\/(om_[^/]+)$/;

/**
 * The demo user's side of authorization in the embedded default: when the bot sends them an
 * authorization card they press Authorize, and when the card then shows the consent link
 * they open it and consent, as a person would inside Feishu. Only ids reach the log.
 */
export function startAuthorizationDemo(emulator: Emulator, userOpenId: string, logger: Logger) {
  const consented = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (work: () => Promise<unknown>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work().catch((err: unknown) => logger.warn({ err }, 'demo user step failed'));
    }, HUMAN_PAUSE_MS);
    timers.add(timer);
  };

  const onMessage = (message: SentMessage) => {
    const value = message.msgType === 'interactive' ? authorizeValue(message.content) : undefined;
    if (!value) return;
    later(async () => {
      logger.info({ messageId: message.messageId }, 'demo user clicks Authorize on the card');
      await emulator.clickCard({ operatorOpenId: userOpenId, messageId: message.messageId,
        chatId: message.chatId, value });
    });
  };

  const onRequest = (entry: RequestLogEntry) => {
    const messageId = entry.method === 'PATCH' ? PATCH_PATH.exec(entry.path)?.[1] : undefined;
    const content = (entry.body as { content?: unknown } | undefined)?.content;
    const link = messageId && typeof content === 'string' ? consentLink(content) : undefined;
    if (!messageId || !link || consented.has(messageId)) return;
    consented.add(messageId);
    later(async () => {
      logger.info({ messageId }, 'demo user consents on the authorization page');
      emulator.oauth.openVerificationPage(link, userOpenId);
    });
  };

  emulator.on('message', onMessage);
  emulator.on('request', onRequest);
  return {
    stop: () => {
      emulator.off('message', onMessage);
      emulator.off('request', onRequest);
      for (const timer of timers) clearTimeout(timer);
    },
  };
}

/** Every behaviour of a card's buttons, wherever they sit. */
function buttonBehaviors(cardJson: string): Record<string, unknown>[] {
  let card: unknown;
  try {
    card = JSON.parse(cardJson);
  } catch {
    return [];
  }
  return cardButtons(card).flatMap((button) => (Array.isArray(button['behaviors'])
    ? button['behaviors'] as Record<string, unknown>[] : []));
}

function authorizeValue(cardJson: string): unknown {
  return buttonBehaviors(cardJson).map((behavior) => behavior['value'] as { cardAuth?: string })
    .find((value) => value?.cardAuth === 'authorize');
}

/** The device flow's verification link, unwrapped from Feishu's applink if needed. */
function consentLink(cardJson: string): string | undefined {
  const url = buttonBehaviors(cardJson).find((behavior) => behavior['type'] === 'open_url')
    ?.['default_url'];
  if (typeof url !== 'string') return undefined;
  const inner = url.startsWith('https://applink.feishu.cn/')
    ? new URL(url).searchParams.get('url') ?? url : url;
  return inner.includes('user_code=') ? inner : undefined;
}
