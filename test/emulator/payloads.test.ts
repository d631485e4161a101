import { describe, expect, it } from 'vitest';

import { readAckPayload } from '../../src/emulator/ack-reader.js';
import { useEmulatorHarness } from './sdk-harness.js';

const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('message payloads', () => {
  const h = useEmulatorHarness();

  it('writes mentions as @_user_N placeholders matching mentions[].key', async () => {
    const { emu } = await h.startEmulator({ bot: { openId: 'ou_bot', appName: 'Bot' } });

    const payload = emu.buildMessageEvent({ chatId: 'oc_chat_1', chatType: 'group',
      senderOpenId: 'ou_user_1', text: '@Bot /login',
      mentions: [{ openId: 'ou_bot', name: 'Bot' }] }) as {
      event: { message: { content: string; mentions: { key: string; id: object }[] } };
    };

    const { message } = payload.event;
    expect(JSON.parse(message.content)).toEqual({ text: '@_user_1 /login' });
    expect(message.mentions).toMatchObject([{ key: '@_user_1', id: { open_id: 'ou_bot' } }]);
  });
});

describe('ACK payloads', () => {
  it('reads the Node shape: code plus base64 JSON data', () => {
    const ack = readAckPayload(bytes(JSON.stringify({ code: 200, data: base64({ toast: {} }) })));

    expect(ack).toMatchObject({ code: 200, data: { toast: {} } });
  });

  it('reads the Go shape: headers present, data null', () => {
    const ack = readAckPayload(bytes('{"code":200,"headers":null,"data":null}'));

    expect(ack).toEqual({ code: 200, rawPayload: '{"code":200,"headers":null,"data":null}' });
  });

  it('treats a payload that is not JSON as a failed ACK', () => {
    expect(readAckPayload(bytes('ok')).code).toBe(-1);
  });
});
