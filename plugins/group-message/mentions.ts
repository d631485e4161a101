import type { IncomingMessage, MessageReceivePayload } from './message.js';

/**
 * Reads a text message: `@_user_N` placeholders are matched against `mentions[].key`; the bot's
 * own placeholder is removed, everyone else's becomes `@Name`. Returns undefined for messages
 * that carry no text (images, files, cards).
 */
export function readTextMessage(
  payload: MessageReceivePayload,
  botOpenId: string | undefined,
): IncomingMessage | undefined {
  const message = payload.message;
  if (!message?.message_id || !message.chat_id || message.message_type !== 'text') return undefined;
  const raw = parseText(message.content);
  if (raw === undefined) return undefined;
  const mentions = message.mentions ?? [];
  const mentionedBot = botOpenId !== undefined && mentions.some((m) => m.id?.open_id === botOpenId);
  const text = replacePlaceholders(raw, mentions, botOpenId);
  return {
    messageId: message.message_id,
    chatId: message.chat_id,
    chatType: message.chat_type ?? 'p2p',
    senderOpenId: payload.sender?.sender_id?.open_id,
    text: text.replace(/\s+/g, ' ').trim(),
    mentionedBot,
    threadId: message.thread_id,
  };
}

/**
 * One pass over the text, longest key first, so `@_user_1` never eats the start of
 * `@_user_10`.
 */
function replacePlaceholders(
  raw: string,
  mentions: NonNullable<NonNullable<MessageReceivePayload['message']>['mentions']>,
  botOpenId: string | undefined,
): string {
  const replacements = new Map<string, string>();
  for (const mention of mentions) {
    if (!mention.key) continue;
    const isBot = botOpenId !== undefined && mention.id?.open_id === botOpenId;
    replacements.set(mention.key, isBot ? '' : `@${mention.name ?? 'someone'}`);
  }
  if (replacements.size === 0) return raw;
  const keys = [...replacements.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return raw.replace(new RegExp(keys.join('|'), 'g'), (key) => replacements.get(key) ?? key);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseText(content: string | undefined): string | undefined {
  if (!content) return undefined;
  try {
    const parsed = JSON.parse(content) as { text?: unknown };
    return typeof parsed.text === 'string' ? parsed.text : undefined;
  } catch {
    return undefined;
  }
}
