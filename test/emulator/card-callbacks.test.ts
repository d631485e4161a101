import { describe, expect, it } from 'vitest';

import { CARD_CLIENT_ERROR } from '../../src/emulator/index.js';
import { useEmulatorHarness } from './sdk-harness.js';

const CLICK = { operatorOpenId: 'ou_user_1', messageId: 'om_card_1', chatId: 'oc_chat_1',
  value: { action: 'authorize' } };

interface CardAction {
  token: string;
  action: { value: unknown; tag: string };
  context: { open_message_id: string };
}

describe('card callbacks', () => {
  const h = useEmulatorHarness();

  it('returns the handler\'s answer, decoded from the ACK data', async () => {
    const { emu, app } = await h.startEmulator();
    await h.connectSdk(emu, app, {
      'card.action.trigger': async (data: CardAction) => ({
        toast: { type: 'success', content: `clicked ${JSON.stringify(data.action.value)}` },
      }),
    });

    const { ack, response } = await emu.clickCard(CLICK);

    expect(ack.code).toBe(200);
    expect(response).toEqual({
      toast: { type: 'success', content: 'clicked {"action":"authorize"}' },
    });
  });

  it('builds a real-shaped click: microsecond create_time and a c- token', async () => {
    const { emu } = await h.startEmulator();

    const payload = emu.buildCardAction(CLICK) as {
      header: { create_time: string; event_type: string };
      event: CardAction;
    };

    expect(payload.header.event_type).toBe('card.action.trigger');
    expect(payload.header.create_time).toMatch(/^\d{16}$/);
    expect(payload.event.token).toMatch(/^c-/);
    expect(payload.event.context.open_message_id).toBe('om_card_1');
  });

  // Reference Uncertain #1: some reports say clicks come as frames of type "card".
  it('documents that the stock SDK ignores "card" frames: no ACK, a client timeout', async () => {
    const { emu, app } = await h.startEmulator({ cardFrameType: 'card', ackTimeoutMs: 300 });
    let handled = false;
    await h.connectSdk(emu, app, { 'card.action.trigger': async () => {
      handled = true;
      return {};
    } });

    const { ack } = await emu.clickCard(CLICK);

    expect(handled).toBe(false);
    expect(ack).toMatchObject({ timedOut: true, clientError: CARD_CLIENT_ERROR.timeout });
  });

  it('reports a throwing card handler as client error 200671', async () => {
    const { emu, app } = await h.startEmulator();
    await h.connectSdk(emu, app, { 'card.action.trigger': async () => {
      throw new Error('boom');
    } });

    const { ack } = await emu.clickCard(CLICK);

    expect(ack).toMatchObject({ code: 500, clientError: CARD_CLIENT_ERROR.nonOkStatus });
  });

  it('accepts the callback token for at most two card updates', async () => {
    const { emu, app } = await h.startEmulator();
    let token = '';
    await h.connectSdk(emu, app, { 'card.action.trigger': async (data: CardAction) => {
      token = data.token;
      return {};
    } });
    await emu.clickCard(CLICK);
    const client = h.apiClient(emu, app);
    const update = () => client.request({ method: 'POST',
      url: '/open-apis/interactive/v1/card/update', data: { token, card: { elements: [] } } });

    await update();
    await update();
    const third = await update().catch((err: { response: { data: unknown } }) => err.response.data);

    expect(third).toMatchObject({ code: 300040 });
  });
});
