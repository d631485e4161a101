import { newCardToken, newEventId, newMessageId, stableHex } from './ids.js';
import type { ResolvedOptions } from './options.js';
import type { CardClickInput, UserMessageInput } from './types.js';

type ResolvedApp = ResolvedOptions['apps'][number];

/**
 * Real-shaped event payloads (reference §2.4). Ids a client would correlate (union_id,
 * user_id) are derived from the open_id, so the same user looks the same in every event.
 */
export function buildMessageEvent(app: ResolvedApp, botOpenId: string,
  input: UserMessageInput): object {
  const now = String(Date.now());
  const { text, mentions } = withMentionPlaceholders(input.text, input.mentions ?? []);
  return {
    schema: '2.0',
    header: envelopeHeader(app, input.eventId, 'im.message.receive_v1', now),
    event: {
      sender: {
        sender_id: userIds(input.senderOpenId),
        sender_type: 'user',
        tenant_key: app.tenantKey,
      },
      message: {
        message_id: input.messageId ?? newMessageId(),
        create_time: now,
        update_time: now,
        chat_id: input.chatId,
        chat_type: input.chatType,
        message_type: 'text',
        content: JSON.stringify({ text }),
        ...(input.threadId && { thread_id: input.threadId }),
        ...(mentions.length > 0 && {
          mentions: mentions.map((mention) => ({
            key: mention.key,
            id: mention.openId === botOpenId
              ? { ...userIds(mention.openId), user_id: '' }
              : userIds(mention.openId),
            name: mention.name,
            tenant_key: app.tenantKey,
          })),
        }),
      },
    },
  };
}

/** A `card.action.trigger`; its header create_time is in microseconds, like the docs'. */
export function buildCardAction(app: ResolvedApp, input: CardClickInput): object {
  const micros = String(Date.now() * 1000);
  return {
    schema: '2.0',
    header: envelopeHeader(app, input.eventId, 'card.action.trigger', micros),
    event: {
      operator: { tenant_key: app.tenantKey, ...userIds(input.operatorOpenId) },
      token: newCardToken(),
      action: {
        ...(input.value !== undefined && { value: input.value }),
        tag: input.tag ?? 'button',
        ...(input.name !== undefined && { name: input.name }),
        ...(input.formValue !== undefined && { form_value: input.formValue }),
      },
      host: 'im_message',
      context: { open_message_id: input.messageId, open_chat_id: input.chatId },
    },
  };
}

function envelopeHeader(app: ResolvedApp, eventId: string | undefined, eventType: string,
  createTime: string): object {
  return {
    event_id: eventId ?? newEventId(),
    event_type: eventType,
    create_time: createTime,
    token: app.verificationToken,
    app_id: app.appId,
    tenant_key: app.tenantKey,
  };
}

function userIds(openId: string): { union_id: string; user_id: string; open_id: string } {
  return { union_id: `on_${stableHex(`union:${openId}`)}`, user_id: stableHex(`user:${openId}`, 8),
    open_id: openId };
}

/**
 * Mentions appear in text as `@_user_N`, N matching `mentions[].key`. Text that already
 * has the placeholder keeps it, `@Name` is replaced, otherwise the placeholder is prefixed.
 */
function withMentionPlaceholders(
  text: string,
  mentions: { openId: string; name: string }[],
): { text: string; mentions: { key: string; openId: string; name: string }[] } {
  let result = text;
  const keyed = mentions.map((mention, index) => ({ ...mention, key: `@_user_${index + 1}` }));
  for (const mention of [...keyed].reverse()) {
    if (result.includes(mention.key)) continue;
    const byName = `@${mention.name}`;
    result = result.includes(byName)
      ? result.replace(byName, mention.key)
      : `${mention.key} ${result}`;
  }
  return { text: result, mentions: keyed };
}
