import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runs } from '../fixtures/plugins/always-fails.js';
import { finishSlowHandlers, progress } from '../fixtures/plugins/ten-second.js';
import { APP, startHarness, type Harness } from '../support/kernel-harness.js';

const yaml = `
app:
  appId: \${APP_ID}
  appSecret: \${APP_SECRET}
  domain: \${DOMAIN}
store: { type: memory }
logging: { level: debug }
dispatch: { cardBudgetMs: 200 }
plugins:
  - use: ../plugins/ten-second.ts
  - use: ../plugins/slow-card.ts
    options: { delayMs: 800 }
  - use: ../plugins/always-fails.ts
    retry: { attempts: 2, backoffMs: 0, maxBackoffMs: 0 }
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness(yaml);
});
afterAll(async () => {
  finishSlowHandlers();
  await h?.stop();
});

describe('delivery guarantee, through the SDK WSClient', () => {
  it('acknowledges with 200 while a 10 s handler is still running', async () => {
    const ack = await h.emulator.pushEvent({
      schema: '2.0',
      header: { event_id: 'evt_slow_1', event_type: 'contact.user.created_v3',
        create_time: String(Date.now()), app_id: APP.appId, tenant_key: 'tk_1' },
      event: { user: { open_id: 'ou_1' } },
    });
    expect(ack).toMatchObject({ code: 200, timedOut: false });
    expect(progress).toEqual({ started: 1, finished: 0 });
    expect(h.emulator.acks().filter((a) => a.eventId === 'evt_slow_1')).toHaveLength(1);
  });

  it('answers a slow card handler with the processing toast, then updates the card', async () => {
    const sent = await h.kernel.lark.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: 'oc_chat_cards', msg_type: 'interactive',
        content: JSON.stringify({ elements: [{ tag: 'markdown', content: 'Approve?' }] }) },
    });
    const messageId = sent.data!.message_id!;
    const { ack, response } = await h.emulator.clickCard({ operatorOpenId: 'ou_1', messageId,
      chatId: 'oc_chat_cards', value: { op: 'slow' } });
    expect(ack).toMatchObject({ code: 200, timedOut: false });
    expect(response).toMatchObject({ toast: { type: 'info' } });
    await vi.waitFor(() => {
      const message = h.emulator.sentMessages().find((m) => m.messageId === messageId);
      expect(message?.patches.join()).toContain('Approved after a long look');
    }, { timeout: 5_000 });
  });

  it("retries by the plugin entry's policy, then parks the event for replay", async () => {
    const ack = await h.emulator.pushEvent({
      schema: '2.0',
      header: { event_id: 'evt_fails_1', event_type: 'contact.user.updated_v3',
        create_time: String(Date.now()), app_id: APP.appId, tenant_key: 'tk_1' },
      event: { user: { open_id: 'ou_1' } },
    });
    expect(ack).toMatchObject({ code: 200, timedOut: false });
    await vi.waitFor(async () => {
      const parked = await h.kernel.dispatcher.deadLetters.list();
      expect(parked).toMatchObject([{ eventId: 'evt_fails_1', plugin: 'always-fails', attempts: 2,
        error: { message: 'directory service unavailable' } }]);
    });
    expect(runs).toEqual([1, 2]);
  });
});
