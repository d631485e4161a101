import { describe, expect, it } from 'vitest';
import { normalizeCardAction } from '../../src/kernel/dispatch/card-action.js';
import { normalizeEnvelope, toEpochMs } from '../../src/kernel/dispatch/envelope.js';
import type { LarkEvent } from '../../src/kernel/dispatch/lark-event.js';

const approval1 = {
  uuid: 'uuid_1',
  token: 'vt',
  ts: '1760000000.5',
  type: 'event_callback',
  event: {
    app_id: 'cli_0000000000000001',
    tenant_key: 'tk_1',
    type: 'approval_instance',
    approval_code: 'AC_1',
    instance_code: 'IC_1',
    status: 'APPROVED',
    operate_time: '1760000000000',
  },
};

const cardClick = (event: Record<string, unknown>) => ({
  schema: '2.0',
  header: {
    event_id: 'evt_2',
    event_type: 'card.action.trigger',
    create_time: '1760000000000000',
    app_id: 'cli_0000000000000001',
    tenant_key: 'tk_1',
  },
  event,
});

function card(event: Record<string, unknown>) {
  return normalizeCardAction(normalizeEnvelope(cardClick(event)) as LarkEvent);
}

describe('envelope normalisation', () => {
  it('normalises a schema 2.0 message event', () => {
    const event = normalizeEnvelope({
      schema: '2.0',
      header: {
        event_id: 'evt_1',
        event_type: 'im.message.receive_v1',
        create_time: '1760000000000',
        app_id: 'cli_0000000000000001',
        tenant_key: 'tk_1',
      },
      event: { message: { message_id: 'om_msg_1' } },
    });
    expect(event).toEqual({
      schema: '2.0',
      eventId: 'evt_1',
      eventType: 'im.message.receive_v1',
      createdAtMs: 1760000000000,
      tenantKey: 'tk_1',
      appId: 'cli_0000000000000001',
      payload: { message: { message_id: 'om_msg_1' } },
    });
  });

  it('normalises a schema 1.0 approval event keeping its own type, keyed by uuid', () => {
    expect(normalizeEnvelope(approval1)).toEqual({
      schema: '1.0',
      eventType: 'approval_instance',
      eventId: 'uuid_1',
      createdAtMs: 1760000000500,
      tenantKey: 'tk_1',
      appId: 'cli_0000000000000001',
      payload: approval1.event,
    });
  });

  it("keys a 1.0 event by the envelope uuid, never by the instance's own event.uuid", () => {
    const withInstanceUuid = { ...approval1, event: { ...approval1.event, uuid: 'req-7781' } };
    const event = normalizeEnvelope(withInstanceUuid);
    expect(event?.eventId).toBe('uuid_1');
    expect(event?.payload).toMatchObject({ uuid: 'req-7781', type: 'approval_instance' });
  });

  it('reads seconds, milliseconds and microseconds as milliseconds', () => {
    expect(toEpochMs('1760000000')).toBe(1760000000000);
    expect(toEpochMs('1760000000.5')).toBe(1760000000500);
    expect(toEpochMs('1760000000123')).toBe(1760000000123);
    expect(toEpochMs('1760000000123456')).toBe(1760000000123);
    expect(toEpochMs('soon')).toBeUndefined();
  });

  it('gives an event without an id a unique id instead of colliding', () => {
    const body = { schema: '2.0', header: { event_type: 'x' }, event: {} };
    expect(normalizeEnvelope(body)!.eventId).not.toBe(normalizeEnvelope(body)!.eventId);
  });

  it('returns undefined for something that is no envelope', () => {
    expect(normalizeEnvelope({ hello: 'world' })).toBeUndefined();
    expect(normalizeEnvelope('text')).toBeUndefined();
  });
});

describe('card action normalisation', () => {
  const base = {
    operator: { open_id: 'ou_user_1', union_id: 'on_1' },
    token: 'c-token_1',
    host: 'im_message',
    context: { open_message_id: 'om_msg_1', open_chat_id: 'oc_chat_1' },
  };

  it('reads an object value and the context ids', () => {
    const action = card({ ...base, action: { tag: 'button', value: { op: 'authorize' } } });
    expect(action).toMatchObject({
      eventId: 'evt_2',
      messageId: 'om_msg_1',
      chatId: 'oc_chat_1',
      operatorOpenId: 'ou_user_1',
      value: { op: 'authorize' },
      token: 'c-token_1',
      tag: 'button',
    });
  });

  it('parses a value sent as a JSON string', () => {
    const action = card({ ...base, action: { tag: 'button', value: '{"op":"approve"}' } });
    expect(action.value).toEqual({ op: 'approve' });
  });

  it('keeps a plain string value as the string', () => {
    expect(card({ ...base, action: { tag: 'button', value: 'approve' } }).value).toBe('approve');
  });

  it('finds the operator nested under user_id', () => {
    const action = card({ ...base, operator: { user_id: { open_id: 'ou_user_1' } }, action: {} });
    expect(action.operatorOpenId).toBe('ou_user_1');
  });

  it('reads a form submit', () => {
    const action = card({
      ...base,
      action: { tag: 'button', name: 'submit', form_value: { reason: 'x' } },
    });
    expect(action).toMatchObject({ name: 'submit', formValue: { reason: 'x' }, value: undefined });
  });

  it('falls back to top-level ids and never uses a card-action-c- placeholder as a message id', () => {
    const action = card({
      operator: { open_id: 'ou_user_1' },
      open_message_id: 'card-action-c-123',
      open_chat_id: 'oc_chat_1',
      action: { tag: 'button' },
    });
    expect(action).toMatchObject({ messageId: undefined, chatId: 'oc_chat_1', value: undefined });
  });
});
