import { afterEach, describe, expect, it, vi } from 'vitest';
import { Emulator } from '../../src/emulator/index.js';
import type { LarkEvent } from '../../src/kernel/dispatch/lark-event.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { recorded } from '../fixtures/plugins/recorder.js';
import { APP, BOT } from '../support/kernel-harness.js';
import { e2eConfigWith, startKernelAgainst } from '../support/transport-harness.js';

const VERIFICATION_TOKEN = 'e2e-verification-token-000001';
const ENCRYPT_KEY = 'e2e-encrypt-key-000001';
const PLATFORM_APP = { ...APP, verificationToken: VERIFICATION_TOKEN, encryptKey: ENCRYPT_KEY };
const ENV = { VERIFICATION_TOKEN, ENCRYPT_KEY };
const USER = 'ou_5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';

const WEBHOOK_SETTINGS = `
webhook:
  host: 127.0.0.1
  port: 0
  path: /lark/events
  verificationToken: \${VERIFICATION_TOKEN}
  encryptKey: \${ENCRYPT_KEY}
  fallbackAfterMs: 300
connection:
  backoff: { initialMs: 50, maxMs: 200 }
`;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  recorded.length = 0;
});

async function startEmulator(): Promise<Emulator> {
  const emulator = await Emulator.start({
    apps: [PLATFORM_APP],
    bot: BOT,
    clientConfig: { PingInterval: 30, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 },
  });
  cleanup.push(() => emulator.stop());
  return emulator;
}

async function startKernel(emulator: Emulator, extraYaml: string, baseYaml?: string) {
  const yaml = baseYaml === undefined ? e2eConfigWith(extraYaml) : `${baseYaml}\n${extraYaml}`;
  const running = await startKernelAgainst(emulator, APP, yaml, ENV);
  cleanup.push(() => running.kernel.stop());
  return running;
}

function botAdded(eventId: string) {
  return {
    schema: '2.0',
    header: { event_id: eventId, event_type: 'im.chat.member.bot.added_v1',
      create_time: '1733300000000', app_id: APP.appId, tenant_key: 'tk_1' },
    event: { chat_id: 'oc_chat_1', operator_id: { open_id: USER }, name: 'Team' },
  };
}

/** What each plugin saw, without the times the emulator stamps at push time. */
function seenByPlugins(): { plugin: string; event: Partial<LarkEvent> }[] {
  return recorded.map(({ plugin, event }) => {
    const { createdAtMs: _created, payload, ...rest } = event;
    const message = payload['message'] as Record<string, unknown> | undefined;
    const stable = message
      ? { ...payload, message: { ...message, create_time: 0, update_time: 0 } }
      : payload;
    return { plugin, event: { ...rest, payload: stable } };
  });
}

/** Waits until the dispatcher has turned away `eventId` as already claimed. */
function duplicateOf(kernel: Kernel, eventId: string): Promise<void> {
  return new Promise((resolve) => {
    const onDuplicate = (event: LarkEvent) => {
      if (event.eventId !== eventId) return;
      kernel.dispatcher.off('duplicate', onDuplicate);
      resolve();
    };
    kernel.dispatcher.on('duplicate', onDuplicate);
  });
}

/** The same traffic on either transport: an event for two plugins, a message, a card click. */
async function runScenario(emulator: Emulator) {
  const event = await emulator.pushEvent(botAdded('evt_parity_1'));
  await vi.waitFor(() => expect(recorded.filter((r) => r.event.eventId === 'evt_parity_1'))
    .toHaveLength(2));
  const message = await emulator.sendUserMessage({ chatId: 'oc_p2p_parity', chatType: 'p2p',
    senderOpenId: USER, text: 'hello', eventId: 'evt_parity_2', messageId: 'om_parity_2' });
  const reply = await emulator.waitForMessage((m) => m.chatId === 'oc_p2p_parity');
  const click = await emulator.clickCard({ operatorOpenId: USER, messageId: 'om_card_parity',
    chatId: 'oc_p2p_parity', value: { op: 'authorize' }, eventId: 'evt_parity_3' });
  return {
    codes: [event.code, message.code, click.ack.code],
    transports: [event.connectionId, message.connectionId, click.ack.connectionId]
      .map((id) => (id === 'webhook' ? 'webhook' : 'long-connection')),
    reply: reply.content,
    cardResponse: click.response,
    seen: seenByPlugins().sort((a, b) =>
      `${a.plugin}${a.event.eventId}`.localeCompare(`${b.plugin}${b.event.eventId}`)),
  };
}

describe('webhook transport, end to end through the emulator', () => {
  it('brings encrypted events and a card callback to the same plugins with the same answers as the long connection', async () => {
    const overSocket = await startEmulator();
    const socketKernel = await startKernel(overSocket, '');
    await socketKernel.kernel.connection.ready();
    const viaLongConnection = await runScenario(overSocket);
    await socketKernel.kernel.stop();
    recorded.length = 0;

    const overHttp = await startEmulator();
    const { kernel, logs } = await startKernel(overHttp, `transport: webhook\n${WEBHOOK_SETTINGS}`);
    const url = kernel.status().transport?.webhook.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/lark\/events$/);
    await overHttp.setRequestUrl(url!);
    const viaWebhook = await runScenario(overHttp);

    expect(viaLongConnection.transports).toEqual(Array(3).fill('long-connection'));
    expect(viaWebhook.transports).toEqual(Array(3).fill('webhook'));
    expect(viaWebhook.codes).toEqual([200, 200, 200]);
    expect(viaWebhook.cardResponse).toEqual({ toast: { type: 'success', content: `done for ${USER}` } });
    expect({ ...viaWebhook, transports: [] }).toEqual({ ...viaLongConnection, transports: [] });
    expect(overHttp.connections(APP.appId)).toHaveLength(0);
    expect(logs.text()).not.toContain(ENCRYPT_KEY);
    expect(logs.text()).not.toContain(VERIFICATION_TOKEN);
  });

  it('starts the webhook listener during a long-connection outage and handles no event twice across the switches', async () => {
    const emulator = await startEmulator();
    const { kernel, logs } = await startKernel(emulator, WEBHOOK_SETTINGS);
    await kernel.connection.ready();
    expect(kernel.status().transport).toMatchObject({ mode: 'long-connection',
      fallbackToWebhook: true, webhook: { state: 'off' } });

    // Before: handled over the long connection.
    expect((await emulator.pushEvent(botAdded('evt_before'))).connectionId).not.toBe('webhook');

    // Outage: the platform refuses connections; the fallback listener starts.
    emulator.refuseConnections(true);
    emulator.dropConnections(APP.appId);
    await vi.waitFor(() => expect(kernel.status().transport?.webhook.state).toBe('listening'),
      { timeout: 10_000 });
    const { url, reason } = kernel.status().transport!.webhook;
    expect(reason).toBe('fallback');
    expect(kernel.status().transport?.notice).toContain(url);
    const warning = logs.lines().find((l) => l['msg']?.toString().includes('webhook fallback listening'));
    expect(warning).toMatchObject({ level: 'warn', url });

    // The operator points the console at the listener; events now come by HTTP.
    await emulator.setRequestUrl(url!);
    expect((await emulator.pushEvent(botAdded('evt_during'))).connectionId).toBe('webhook');
    const repushOfBefore = duplicateOf(kernel, 'evt_before');
    expect((await emulator.pushEvent(botAdded('evt_before'))).code).toBe(200);
    await repushOfBefore;

    // The long connection returns; the listener stays up and both routes keep working.
    emulator.refuseConnections(false);
    await kernel.connection.ready();
    expect(kernel.status().transport?.webhook.state).toBe('listening');
    expect((await emulator.pushEvent(botAdded('evt_after_http'))).connectionId).toBe('webhook');
    emulator.useLongConnection();
    await emulator.waitForConnections(1, { appId: APP.appId });
    const repushOfDuring = duplicateOf(kernel, 'evt_during');
    expect((await emulator.pushEvent(botAdded('evt_during'))).connectionId).not.toBe('webhook');
    await repushOfDuring;
    await emulator.pushEvent(botAdded('evt_after_socket'));

    const ids = ['evt_before', 'evt_during', 'evt_after_http', 'evt_after_socket'];
    await vi.waitFor(() => expect(recorded).toHaveLength(ids.length * 2));
    for (const plugin of ['recorder-a', 'recorder-b']) {
      const handled = recorded.filter((r) => r.plugin === plugin).map((r) => r.event.eventId);
      expect(handled.sort()).toEqual([...ids].sort());
    }
  });

  it('answers a slow card handler with the same in-budget processing toast as the long connection', async () => {
    const slowCards = [
      'app: { appId: "${APP_ID}", appSecret: "${APP_SECRET}", domain: "${DOMAIN}" }',
      'dispatch: { cardBudgetMs: 200 }',
      'plugins:',
      '  - use: ../plugins/card-toaster.ts',
      '    options: { op: slow, delayMs: 1500 }',
    ].join('\n');
    const click = { operatorOpenId: USER, messageId: 'om_slow', chatId: 'oc_slow',
      value: { op: 'slow' }, eventId: 'evt_slow' };

    const overSocket = await startEmulator();
    const socketKernel = await startKernel(overSocket, '', slowCards);
    await socketKernel.kernel.connection.ready();
    const viaLongConnection = await overSocket.clickCard(click);

    const overHttp = await startEmulator();
    const { kernel } = await startKernel(overHttp, `transport: webhook\n${WEBHOOK_SETTINGS}`,
      slowCards);
    await overHttp.setRequestUrl(kernel.status().transport!.webhook.url!);
    const viaWebhook = await overHttp.clickCard(click);

    expect(viaWebhook.ack).toMatchObject({ code: 200, timedOut: false, connectionId: 'webhook' });
    expect(viaWebhook.response).toMatchObject({ toast: { type: 'info' } });
    expect(viaWebhook.response).toEqual(viaLongConnection.response);
  });
});
