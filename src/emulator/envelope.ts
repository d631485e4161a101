import { isRecord } from './http-io.js';

/** What the platform itself reads from an event envelope (schema 2.0 or 1.0, reference §2). */
export interface EnvelopeSummary {
  eventId?: string;
  eventType?: string;
  appId?: string;
}

export const CARD_ACTION_EVENT = 'card.action.trigger';

export function summarizeEnvelope(payload: unknown): EnvelopeSummary {
  if (!isRecord(payload)) return {};
  const header = isRecord(payload['header']) ? payload['header'] : undefined;
  const event = isRecord(payload['event']) ? payload['event'] : undefined;
  if (header) {
    return {
      eventId: asString(header['event_id']),
      eventType: asString(header['event_type']),
      appId: asString(header['app_id']),
    };
  }
  // Schema 1.0: the id is `uuid`, the type lives inside `event` (reference §2.2).
  return {
    eventId: asString(payload['uuid']),
    eventType: asString(event?.['type']),
    appId: asString(event?.['app_id']),
  };
}

/** The chat and thread of an `im.message.receive_v1`, so later replies can find them. */
export function incomingMessageOf(
  payload: unknown,
): { messageId: string; chatId: string; threadId?: string } | undefined {
  if (!isRecord(payload) || !isRecord(payload['event'])) return undefined;
  const message = payload['event']['message'];
  if (!isRecord(message)) return undefined;
  const messageId = asString(message['message_id']);
  const chatId = asString(message['chat_id']);
  if (!messageId || !chatId) return undefined;
  const threadId = asString(message['thread_id']);
  return threadId ? { messageId, chatId, threadId } : { messageId, chatId };
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The card-update token and card message of a card.action.trigger (reference §3.2). */
export function cardTokenOf(payload: unknown): { token: string; messageId: string } | undefined {
  if (!isRecord(payload) || !isRecord(payload['event'])) return undefined;
  const event = payload['event'];
  const context = isRecord(event['context']) ? event['context'] : {};
  const token = asString(event['token']);
  const messageId = asString(context['open_message_id']) ?? asString(event['open_message_id']);
  return token && messageId ? { token, messageId } : undefined;
}
