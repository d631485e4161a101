import { describe, expect, it } from 'vitest';
import { readTextMessage } from '../../plugins/group-message/mentions.js';

const BOT = 'ou_bot_mentions';

function payload(text: string, count: number) {
  const mentions = Array.from({ length: count }, (_, i) => ({
    key: `@_user_${i + 1}`,
    id: { open_id: i === 0 ? BOT : `ou_user_${i + 1}` },
    name: i === 0 ? 'Bot' : `Name${i + 1}`,
  }));
  return {
    sender: { sender_id: { open_id: 'ou_sender' } },
    message: {
      message_id: 'om_mentions', chat_id: 'oc_mentions', chat_type: 'group',
      message_type: 'text', content: JSON.stringify({ text }), mentions,
    },
  };
}

describe('mention placeholders', () => {
  it('resolves @_user_10 as its own mention, not as @_user_1 followed by 0', () => {
    const read = readTextMessage(payload('@_user_1 hi @_user_2 and @_user_10', 10), BOT);

    expect(read?.text).toBe('hi @Name2 and @Name10');
    expect(read?.mentionedBot).toBe(true);
  });

  it('leaves a placeholder the mentions list does not name as it is', () => {
    const read = readTextMessage(payload('@_user_1 ask @_user_7', 2), BOT);

    expect(read?.text).toBe('ask @_user_7');
  });
});
