import { isRecord } from '../http-io.js';

/** `msg_type` values the send API accepts (reference §5.1). */
export const MSG_TYPES = new Set([
  'text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive',
  'share_chat', 'share_user', 'system',
]);

/** Size caps: text 150 KB, cards and posts 30 KB (reference §5.1). */
const MAX_BYTES: Record<string, number> = { text: 150 * 1024, post: 30 * 1024,
  interactive: 30 * 1024 };

/** A key each content type must carry, so a wrongly shaped content is caught early. */
const REQUIRED_KEY: Record<string, string> = {
  text: 'text', image: 'image_key', file: 'file_key', audio: 'file_key', media: 'file_key',
  sticker: 'file_key', share_chat: 'chat_id', share_user: 'user_id',
};

export type ContentCheck = { ok: true } | { ok: false; tooLong: boolean; reason: string };

/**
 * `content` is always a string holding serialized JSON, never an object: the most common
 * client mistake, so it is checked first.
 */
export function checkContent(msgType: unknown, content: unknown): ContentCheck {
  if (typeof msgType !== 'string' || !MSG_TYPES.has(msgType)) {
    return { ok: false, tooLong: false, reason: `unknown msg_type ${String(msgType)}` };
  }
  if (typeof content !== 'string') {
    return { ok: false, tooLong: false, reason: 'content must be a string of JSON' };
  }
  const limit = MAX_BYTES[msgType];
  if (limit !== undefined && Buffer.byteLength(content) > limit) {
    return { ok: false, tooLong: true, reason: `content exceeds ${limit} bytes` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return { ok: false, tooLong: false, reason: 'content is not valid JSON' };
  }
  if (!isRecord(parsed)) {
    return { ok: false, tooLong: false, reason: 'content must encode a JSON object' };
  }
  const key = REQUIRED_KEY[msgType];
  if (key !== undefined && typeof parsed[key] !== 'string') {
    return { ok: false, tooLong: false, reason: `${msgType} content needs a string "${key}"` };
  }
  return { ok: true };
}
