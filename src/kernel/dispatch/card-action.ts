import { isObject, text as str, type JsonObject as Json } from './json-fields.js';
import type { CardAction, LarkEvent } from './lark-event.js';

const obj = (v: unknown): Json => (isObject(v) ? v : {});

/**
 * One normaliser for every card-callback variant seen in the wild: ids in `context` or at the
 * top level, the operator's ids flat or nested under `user_id`, and a value given as an object,
 * a JSON string or a plain string. It never throws.
 */
export function normalizeCardAction(event: LarkEvent): CardAction {
  const p = event.payload;
  const operator = obj(p.operator);
  const nested = obj(operator.user_id);
  const context = obj(p.context);
  const action = obj(p.action);
  return {
    eventId: event.eventId,
    appId: event.appId,
    tenantKey: event.tenantKey ?? str(operator.tenant_key),
    operatorOpenId: str(operator.open_id) ?? str(nested.open_id) ?? str(p.open_id),
    operatorUnionId: str(operator.union_id) ?? str(nested.union_id),
    operatorUserId: str(operator.user_id) ?? str(nested.user_id),
    messageId: messageIdOf(str(context.open_message_id) ?? str(p.open_message_id)),
    chatId: str(context.open_chat_id) ?? str(context.chat_id) ?? str(p.open_chat_id),
    value: parseValue(action.value),
    tag: str(action.tag),
    name: str(action.name),
    formValue: isObject(action.form_value) ? action.form_value : undefined,
    inputValue: str(action.input_value),
    option: str(action.option),
    options: Array.isArray(action.options) ? action.options.map(String) : undefined,
    checked: typeof action.checked === 'boolean' ? action.checked : undefined,
    timezone: str(action.timezone),
    token: str(p.token),
    host: str(p.host),
  };
}

/** Some clients put a `card-action-c-...` placeholder where a message id belongs. */
function messageIdOf(id: string | undefined): string | undefined {
  return id && !id.startsWith('card-action-c-') ? id : undefined;
}

function parseValue(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  const trimmed = value.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}
