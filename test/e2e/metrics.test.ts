import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP, startHarness, type Harness } from '../support/kernel-harness.js';
import { sampleValue } from '../support/prometheus-text.js';

const USER = 'ou_5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const FAILING_TYPE = 'im.chat.disbanded_v1';

const yaml = `
app: { appId: "\${APP_ID}", appSecret: "\${APP_SECRET}", domain: "\${DOMAIN}" }
store: { type: memory }
ops: { enabled: true, port: 0 }
dispatch: { cardBudgetMs: 1500 }
plugins:
  - use: group-message
    options: { defaultReply: "You said: {text}" }
  - use: ../plugins/recorder.ts
    options: { eventTypes: [im.chat.member.bot.added_v1] }
  - use: ../plugins/metered.ts
    options: { failOn: ${FAILING_TYPE} }
    retry: { attempts: 2, backoffMs: 50 }
  - use: ../plugins/card-toaster.ts
    options: { op: authorize }
  - use: ../plugins/card-toaster.ts
    id: slow-toaster
    options: { op: slow, delayMs: 3000 }
`;

let h: Harness;
let scrape: string;

function event(eventId: string, eventType: string) {
  const header = {
    event_id: eventId, event_type: eventType, create_time: String(Date.now()), app_id: APP.appId,
  };
  return { schema: '2.0', header, event: { chat_id: 'oc_ops', operator_id: { open_id: USER } } };
}

async function fetchMetrics(): Promise<string> {
  const response = await fetch(`${h.kernel.opsUrl}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

const value = (name: string, labels: Record<string, string> = {}) =>
  sampleValue(scrape, name, labels);
const message = (chatId: string, text: string) =>
  h.emulator.sendUserMessage({ chatId, chatType: 'p2p', senderOpenId: USER, text });

/**
 * One end-to-end run through the SDK, then one scrape: 6 event payloads (a duplicate, an
 * unhandled type, 3 messages one of whose replies is rate limited, a failing type) and 3 clicks.
 */
async function run(): Promise<void> {
  await h.emulator.pushEvent(event('evt_ops_added_1', 'im.chat.member.bot.added_v1'));
  await h.emulator.pushEvent(event('evt_ops_added_1', 'im.chat.member.bot.added_v1'));
  await h.emulator.pushEvent(event('evt_ops_read_1', 'im.message.message_read_v1'));
  await h.emulator.pushEvent(event('evt_ops_fail_1', FAILING_TYPE));
  for (const text of ['one', 'two']) {
    await message(`oc_ops_${text}`, text);
    await h.emulator.waitForMessage((m) => m.chatId === `oc_ops_${text}`, 5_000);
  }
  h.emulator.injectError({
    method: 'POST', path: /\/reply$/, status: 429, body: { code: 99991400, msg: 'rate limited' },
  });
  await message('oc_ops_three', 'three');
  const click = { operatorOpenId: USER, messageId: 'om_card_ops', chatId: 'oc_ops_one' };
  await h.emulator.clickCard({ ...click, value: { op: 'authorize' } });
  await h.emulator.clickCard({ ...click, value: { op: 'slow' } });
  await h.emulator.clickCard({ ...click, value: { op: 'nobody-answers-this' } });
  await vi.waitFor(async () => {
    scrape = await fetchMetrics();
    const settled = (plugin: string) => value('lark_service_events_handled_total', {
      event_type: 'im.message.receive_v1', plugin,
    });
    expect(settled('metered')).toBe(3);
    // The rate-limited reply fails one attempt; the plugin's retry policy then succeeds.
    expect(settled('group-message')).toBe(3);
    expect(value('lark_service_events_failed_total', { plugin: 'group-message' })).toBe(1);
    expect(value('lark_service_events_parked_total', { plugin: 'metered' })).toBe(1);
    expect(value('lark_service_events_handled_total', { plugin: 'recorder' })).toBe(1);
  }, { timeout: 10_000 });
}

beforeAll(async () => {
  h = await startHarness(yaml);
  await run();
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe('/metrics after an end-to-end run', () => {
  it('counts events received, acknowledged, deduplicated and unhandled by type', () => {
    const added = { event_type: 'im.chat.member.bot.added_v1' };
    expect(value('lark_service_events_received_total', added)).toBe(2);
    expect(value('lark_service_events_acknowledged_total', { ...added, code: '200' })).toBe(2);
    expect(value('lark_service_events_deduplicated_total', added)).toBe(1);
    const received = (type: string) =>
      value('lark_service_events_received_total', { event_type: type });
    const unhandled = { event_type: 'im.message.message_read_v1' };
    expect(value('lark_service_events_unhandled_total', unhandled)).toBe(1);
    expect(received('im.message.receive_v1')).toBe(3);
    expect(received('card.action.trigger')).toBe(3);
  });

  it('counts handled and failed handler runs by type and plugin, with their durations', () => {
    const recorder = { event_type: 'im.chat.member.bot.added_v1', plugin: 'recorder' };
    expect(value('lark_service_events_handled_total', recorder)).toBe(1);
    expect(value('lark_service_handler_duration_seconds_count', recorder)).toBe(1);
    const metered = { event_type: FAILING_TYPE, plugin: 'metered' };
    // Every failed attempt counts: two attempts by the plugin's retry policy.
    expect(value('lark_service_events_failed_total', metered)).toBe(2);
    expect(value('lark_service_events_failed_total', {
      event_type: 'im.message.receive_v1', plugin: 'group-message',
    })).toBe(1);
  });

  it('observes the ACK latency of every event and every card callback', () => {
    expect(value('lark_service_ack_latency_seconds_count', { kind: 'event' })).toBe(7);
    expect(value('lark_service_ack_latency_seconds_count', { kind: 'card' })).toBe(3);
  });

  it('counts card callbacks answered inside and outside the budget', () => {
    const card = 'lark_service_card_callbacks_total';
    expect(value(card, { plugin: 'card-toaster', outcome: 'answered' })).toBe(1);
    expect(value(card, { plugin: 'slow-toaster', outcome: 'over_budget' })).toBe(1);
    expect(value(card, { plugin: 'none', outcome: 'unmatched' })).toBe(1);
  });

  it('counts OpenAPI calls by route template and result code, never by raw id', () => {
    const reply = { method: 'POST', endpoint: '/open-apis/im/v1/messages/:id/reply' };
    const name = 'lark_service_openapi_requests_total';
    expect(value(name, { ...reply, status: '200', code: '0' })).toBe(3);
    expect(value(name, { ...reply, status: '429', code: '99991400' })).toBe(1);
    const token = { method: 'POST', endpoint: '/open-apis/auth/v3/tenant_access_token/internal' };
    expect(value(name, { ...token, status: '200', code: '0' })).toBe(1);
    expect(scrape).not.toMatch(/om_[0-9a-f]{32}/);
  });

  it('shows the connection ready and each plugin started', () => {
    expect(value('lark_service_connection_state', { state: 'ready' })).toBe(1);
    expect(value('lark_service_connection_state', { state: 'reconnecting' })).toBe(0);
    const slowToaster = { plugin: 'slow-toaster', state: 'started' };
    expect(value('lark_service_plugin_state', slowToaster)).toBe(1);
  });

  it("scrapes a plugin's own metric registered through ctx.metrics", () => {
    expect(value('lark_service_metered_messages_total', { chat_type: 'p2p' })).toBe(3);
  });

  it('counts the event parked after its last attempt, by type and plugin', () => {
    const parked = { event_type: FAILING_TYPE, plugin: 'metered' };
    expect(value('lark_service_events_parked_total', parked)).toBe(1);
    expect(value('lark_service_events_parked_total', { plugin: 'group-message' })).toBeUndefined();
  });

  it('never exposes the app secret or a tenant token', () => {
    expect(scrape).not.toContain(APP.appSecret);
    expect(scrape).not.toMatch(/t-[0-9a-f]{40}/);
  });
});
