import type { SentMessage } from './types.js';

/** Where a message lives, for messages the bot did not send itself (user messages). */
export interface MessagePlace {
  chatId: string;
  threadId?: string;
}

/** `uuid` makes sends idempotent for one hour (reference §5.1). */
const IDEMPOTENCY_WINDOW_MS = 60 * 60_000;

type SentListener = (message: SentMessage) => void;

/** Messages the apps sent through the OpenAPI, plus the places of messages users sent. */
export class MessageStore {
  private readonly sent: SentMessage[] = [];
  private readonly sentById = new Map<string, SentMessage>();
  private readonly places = new Map<string, MessagePlace>();
  private readonly byUuid = new Map<string, { message: SentMessage; at: number }>();
  private readonly listeners = new Set<SentListener>();

  recordSent(message: SentMessage, uuid?: string): void {
    this.sent.push(message);
    this.sentById.set(message.messageId, message);
    if (uuid) this.byUuid.set(`${message.appId}/${uuid}`, { message, at: Date.now() });
    for (const listener of this.listeners) listener(message);
  }

  /** The message an earlier call with the same uuid created, within the window. */
  findByUuid(appId: string, uuid: string | undefined): SentMessage | undefined {
    if (!uuid) return undefined;
    const entry = this.byUuid.get(`${appId}/${uuid}`);
    if (!entry || Date.now() - entry.at > IDEMPOTENCY_WINDOW_MS) return undefined;
    return entry.message;
  }

  findSent(messageId: string): SentMessage | undefined {
    return this.sentById.get(messageId);
  }

  rememberPlace(messageId: string, place: MessagePlace): void {
    this.places.set(messageId, place);
  }

  placeOf(messageId: string): MessagePlace | undefined {
    const sent = this.sentById.get(messageId);
    return sent ? { chatId: sent.chatId } : this.places.get(messageId);
  }

  list(filter: { chatId?: string; appId?: string } = {}): SentMessage[] {
    return this.sent.filter((message) =>
      (!filter.chatId || message.chatId === filter.chatId)
      && (!filter.appId || message.appId === filter.appId));
  }

  /** Calls the listener for every message sent from now on; returns the unsubscribe. */
  onSent(listener: SentListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
