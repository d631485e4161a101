import { describe, expect, it } from 'vitest';

import { EmulatorErrorCode, type RepushNotice } from '../../src/emulator/index.js';
import { useEmulatorHarness } from './sdk-harness.js';

const MESSAGE = { chatId: 'oc_chat_1', chatType: 'p2p', senderOpenId: 'ou_user_1',
  text: 'hi' } as const;

interface ReceivedMessage {
  event_id: string;
  message: { message_id: string; content: string };
}

describe('event delivery', () => {
  const h = useEmulatorHarness();

  it('delivers an event to the SDK handler and records its 200 ACK', async () => {
    const { emu, app } = await h.startEmulator();
    const received: ReceivedMessage[] = [];
    await h.connectSdk(emu, app, {
      'im.message.receive_v1': async (data: ReceivedMessage) => {
        received.push(data);
      },
    });

    const ack = await emu.sendUserMessage(MESSAGE);

    expect(received.map((data) => data.message.content)).toEqual(['{"text":"hi"}']);
    expect(ack).toMatchObject({ code: 200, timedOut: false, eventType: 'im.message.receive_v1' });
    expect(emu.acks()).toEqual([ack]);
  });

  it('splits a payload into out-of-order fragments that the SDK reassembles once', async () => {
    const { emu, app } = await h.startEmulator();
    const received: ReceivedMessage[] = [];
    await h.connectSdk(emu, app, {
      'im.message.receive_v1': async (data: ReceivedMessage) => {
        received.push(data);
      },
    });
    const payload = emu.buildMessageEvent({ ...MESSAGE, text: '多字节 text '.repeat(40) });

    const ack = await emu.pushEvent(payload, { fragments: 3, outOfOrder: true });

    expect(ack.code).toBe(200);
    expect(ack.headers).toMatchObject({ sum: '3' });
    expect(received).toHaveLength(1);
    expect(received[0]?.message.content).toBe(JSON.stringify({ text: '多字节 text '.repeat(40) }));
    expect(emu.acks()).toHaveLength(1);
  });

  it('re-pushes an event whose handler threw, with the same event_id', async () => {
    const { emu, app } = await h.startEmulator({ repush: { enabled: true, delaysMs: [20] } });
    const received: ReceivedMessage[] = [];
    await h.connectSdk(emu, app, {
      'im.message.receive_v1': async (data: ReceivedMessage) => {
        received.push(data);
        if (received.length === 1) throw new Error('handler failed');
      },
    });
    const repushed = new Promise<RepushNotice>((resolve) => emu.once('repush', resolve));

    const first = await emu.sendUserMessage({ ...MESSAGE, eventId: 'evt_1' });
    const notice = await repushed;

    expect(first.code).toBe(500);
    expect(notice).toMatchObject({ eventId: 'evt_1', attempt: 1, ack: { code: 200 } });
    expect(notice.ack?.messageId).not.toBe(first.messageId);
    expect(received.map((data) => data.event_id)).toEqual(['evt_1', 'evt_1']);
  });

  it('counts an ACK that arrives after ackTimeoutMs as a timeout', async () => {
    const { emu, app } = await h.startEmulator({ ackTimeoutMs: 100,
      repush: { enabled: false, delaysMs: [] } });
    let release = (): void => undefined;
    const handlerMayFinish = new Promise<void>((resolve) => {
      release = resolve;
    });
    await h.connectSdk(emu, app, { 'im.message.receive_v1': () => handlerMayFinish });
    const lateAck = new Promise<void>((resolve) => emu.once('late-ack', () => resolve()));

    const ack = await emu.sendUserMessage(MESSAGE);
    release();
    await lateAck;

    expect(ack).toMatchObject({ timedOut: true, code: 0 });
    expect(emu.acks()).toEqual([ack]);
  });

  it('hands each event to exactly one of several connections of the app', async () => {
    const { emu, app } = await h.startEmulator();
    let handled = 0;
    const handlers = { 'im.message.receive_v1': async () => {
      handled += 1;
    } };
    h.startSdk(emu, app, handlers);
    h.startSdk(emu, app, handlers);
    await emu.waitForConnections(2, { appId: app.appId });

    for (let index = 0; index < 10; index += 1) await emu.sendUserMessage(MESSAGE);

    expect(handled).toBe(10);
  });

  it('rejects a push while the app has no open connection', async () => {
    const { emu } = await h.startEmulator();

    await expect(emu.sendUserMessage(MESSAGE))
      .rejects.toMatchObject({ code: EmulatorErrorCode.noConnection });
  });
});
