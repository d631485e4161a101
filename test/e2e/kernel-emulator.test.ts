import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../../src/kernel/connection.js';
import { recorded } from '../fixtures/plugins/recorder.js';
import { APP, BOT, startHarness, type Harness } from '../support/kernel-harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const yaml = readFileSync(path.join(here, '../fixtures/configs/e2e.yaml'), 'utf8');
const USER = 'ou_5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';

let h: Harness;
beforeAll(async () => {
  h = await startHarness(yaml);
});
afterAll(async () => {
  await h?.stop();
});

const textOf = (content: string) => (JSON.parse(content) as { text: string }).text;

describe('kernel and emulator, through the SDK WSClient', () => {
  it('delivers one event to both plugins subscribed to its type, ACK 200 without data', async () => {
    const ack = await h.emulator.pushEvent({
      schema: '2.0',
      header: {
        event_id: 'evt_bot_added_1',
        event_type: 'im.chat.member.bot.added_v1',
        create_time: String(Date.now()),
        app_id: APP.appId,
        tenant_key: 'tk_1',
      },
      event: { chat_id: 'oc_chat_1', operator_id: { open_id: USER }, name: 'Team' },
    });
    expect(ack).toMatchObject({ code: 200, timedOut: false });
    expect(ack.data).toBeUndefined();
    await vi.waitFor(() => {
      const plugins = recorded.filter((r) => r.event.eventId === 'evt_bot_added_1').map((r) => r.plugin);
      expect(plugins.sort()).toEqual(['recorder-a', 'recorder-b']);
    });
  });

  it('answers a group message that mentions the bot, with the mention resolved', async () => {
    await h.emulator.sendUserMessage({
      chatId: 'oc_group_1',
      chatType: 'group',
      senderOpenId: USER,
      text: '@_user_1 query pending orders for @_user_2',
      mentions: [
        { openId: BOT.openId, name: BOT.appName },
        { openId: 'ou_user_2', name: 'Alice' },
      ],
    });
    const reply = await h.emulator.waitForMessage((m) => m.chatId === 'oc_group_1', 5_000);
    expect(textOf(reply.content)).toBe('You said: query pending orders for @Alice');
    expect(reply.replyTo).toBeDefined();
  });

  it('ignores a group message that does not mention the bot', async () => {
    await h.emulator.sendUserMessage({
      chatId: 'oc_group_2', chatType: 'group', senderOpenId: USER, text: 'lunch?',
      mentions: [{ openId: 'ou_user_2', name: 'Alice' }],
    });
    await h.emulator.sendUserMessage({
      chatId: 'oc_group_2', chatType: 'group', senderOpenId: USER, text: '@_user_1 /help',
      mentions: [{ openId: BOT.openId, name: BOT.appName }],
    });
    const reply = await h.emulator.waitForMessage((m) => m.chatId === 'oc_group_2', 5_000);
    expect(textOf(reply.content)).toContain('/help');
    expect(h.emulator.sentMessages({ chatId: 'oc_group_2' })).toHaveLength(1);
  });

  it('always answers in a direct chat', async () => {
    await h.emulator.sendUserMessage({ chatId: 'oc_p2p_1', chatType: 'p2p', senderOpenId: USER, text: 'hi' });
    const reply = await h.emulator.waitForMessage((m) => m.chatId === 'oc_p2p_1', 5_000);
    expect(textOf(reply.content)).toBe('You said: hi');
  });

  it("answers a card click with the handler's toast inside the ACK", async () => {
    const { ack, response } = await h.emulator.clickCard({
      operatorOpenId: USER, messageId: 'om_card_1', chatId: 'oc_p2p_1', value: { op: 'authorize' },
    });
    expect(ack.code).toBe(200);
    expect(response).toEqual({ toast: { type: 'success', content: `done for ${USER}` } });
  });

  it('answers a card click that arrives in a frame of type "card"', async () => {
    const { ack, response } = await h.emulator.clickCard({
      operatorOpenId: USER, messageId: 'om_card_2', chatId: 'oc_p2p_1', value: { op: 'authorize' },
      frameType: 'card',
    });
    expect(ack).toMatchObject({ code: 200, timedOut: false });
    expect(response).toEqual({ toast: { type: 'success', content: `done for ${USER}` } });
  });

  it('acknowledges an event type no plugin handles with 200 and no data', async () => {
    const ack = await h.emulator.pushEvent({
      schema: '2.0',
      header: { event_id: 'evt_read_1', event_type: 'im.message.message_read_v1', create_time: String(Date.now()) },
      event: {},
    });
    expect(ack).toMatchObject({ code: 200, timedOut: false });
    expect(ack.data).toBeUndefined();
  });

  it('reconnects after the platform drops the connection and keeps delivering', async () => {
    const states: ConnectionState[] = [];
    h.kernel.connection.on('status', (s) => states.push(s.state));
    expect(h.emulator.dropConnections(APP.appId)).toBe(1);
    await vi.waitFor(() => expect(states).toContain('reconnecting'), { timeout: 5_000 });
    await h.kernel.connection.ready();
    await h.emulator.waitForConnections(1, { appId: APP.appId, timeoutMs: 5_000 });
    await h.emulator.sendUserMessage({ chatId: 'oc_p2p_after', chatType: 'p2p', senderOpenId: USER, text: 'still there?' });
    const reply = await h.emulator.waitForMessage((m) => m.chatId === 'oc_p2p_after', 5_000);
    expect(textOf(reply.content)).toBe('You said: still there?');
    expect(h.kernel.status().connection.state).toBe('ready');
  });

  it('never writes the app secret into the log', () => {
    expect(h.logs.text().length).toBeGreaterThan(0);
    expect(h.logs.text()).not.toContain(APP.appSecret);
  });
});
