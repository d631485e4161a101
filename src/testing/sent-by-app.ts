import type { SentMessage } from '../emulator/types.js';

/** A message the app sent through the OpenAPI, with its content already parsed. */
export interface SentByApp {
  messageId: string;
  chatId: string;
  msgType: string;
  /** `text` of a text message; undefined for other types. */
  text: string | undefined;
  /** The card JSON of an interactive message; undefined for other types. */
  card: Record<string, unknown> | undefined;
  /** The message this one replies to, and whether the reply went into its thread. */
  replyTo: string | undefined;
  replyInThread: boolean;
  receiveIdType: string | undefined;
  receiveId: string | undefined;
  /** Cards the app put on this message afterwards (PATCH or delayed update), parsed. */
  updates: Record<string, unknown>[];
  raw: SentMessage;
}

export function readSent(message: SentMessage): SentByApp {
  const content = parse(message.content);
  return {
    messageId: message.messageId,
    chatId: message.chatId,
    msgType: message.msgType,
    text: message.msgType === 'text' ? textOf(content) : undefined,
    card: message.msgType === 'interactive' ? content : undefined,
    replyTo: message.replyTo,
    replyInThread: message.replyInThread ?? false,
    receiveIdType: message.receiveIdType,
    receiveId: message.receiveId,
    updates: message.patches.map(parse).filter((card) => card !== undefined),
    raw: message,
  };
}

function textOf(content: Record<string, unknown> | undefined): string | undefined {
  return typeof content?.text === 'string' ? content.text : undefined;
}

function parse(json: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(json) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The callback values of a card's buttons: JSON 2.0 `behaviors: [{type: 'callback', value}]`
 * and JSON 1.0 top-level `value`, in the order they appear.
 */
export function callbackValues(card: unknown): unknown[] {
  const found: unknown[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const element = node as Record<string, unknown>;
    if (element.tag === 'button') {
      const behaviors = Array.isArray(element.behaviors) ? element.behaviors : [];
      const callback = behaviors.find((b) => (b as { type?: unknown })?.type === 'callback');
      if (callback) found.push((callback as { value?: unknown }).value);
      else if (element.value !== undefined) found.push(element.value);
    }
    for (const child of Object.values(element)) visit(child);
  };
  visit(card);
  return found;
}
