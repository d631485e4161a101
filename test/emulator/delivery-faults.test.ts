import { describe, expect, it } from 'vitest';

import type { RepushNotice } from '../../src/emulator/index.js';
import { useEmulatorHarness } from './sdk-harness.js';

const MESSAGE = { chatId: 'oc_chat_1', chatType: 'p2p', senderOpenId: 'ou_user_1',
  text: 'hi' } as const;

describe('emulated delivery faults', () => {
  const h = useEmulatorHarness();

  it('pushes an acknowledged event again, same event_id, when duplicates are on', async () => {
    const { emu, app } = await h.startEmulator({ duplicates: { fraction: 1, delayMs: 10 } });
    const received: string[] = [];
    await h.connectSdk(emu, app, {
      'im.message.receive_v1': async (data: { event_id: string }) => {
        received.push(data.event_id);
      },
    });
    const duplicate = new Promise<RepushNotice>((resolve) => emu.once('repush', resolve));

    const first = await emu.sendUserMessage({ ...MESSAGE, eventId: 'evt_dup' });
    const notice = await duplicate;

    expect(first.code).toBe(200);
    expect(notice).toMatchObject({ eventId: 'evt_dup', duplicate: true, ack: { code: 200 } });
    expect(notice.ack?.messageId).not.toBe(first.messageId);
    expect(received).toEqual(['evt_dup', 'evt_dup']);
    expect(emu.deliveriesSettled()).toBe(true);
  });

  it('reads ACKs late when asked, so a prompt ACK can still count as a timeout', async () => {
    const { emu, app } = await h.startEmulator({ ackTimeoutMs: 100,
      ackReadDelayMs: { min: 300, max: 300 }, repush: { enabled: false, delaysMs: [] } });
    await h.connectSdk(emu, app, { 'im.message.receive_v1': async () => undefined });
    const lateAck = new Promise<void>((resolve) => emu.once('late-ack', () => resolve()));

    const ack = await emu.sendUserMessage(MESSAGE);
    await lateAck;

    expect(ack).toMatchObject({ timedOut: true, code: 0 });
  });

  it('closes one chosen connection and leaves the others open', async () => {
    const { emu, app } = await h.startEmulator();
    const handlers = { 'im.message.receive_v1': async () => undefined };
    h.startSdk(emu, app, handlers);
    h.startSdk(emu, app, handlers);
    await emu.waitForConnections(2, { appId: app.appId });
    const [victim, survivor] = emu.connections(app.appId);

    expect(emu.dropConnection(victim!.id)).toBe(true);

    await expect.poll(() => emu.connections(app.appId).map((c) => c.id)).not.toContain(victim!.id);
    expect(emu.connections(app.appId).map((c) => c.id)).toContain(survivor!.id);
  });
});
