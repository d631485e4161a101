import { randomUUID } from 'node:crypto';
import { isObject, textOrNumber as str, type JsonObject as Json } from './json-fields.js';
import type { LarkEvent } from './lark-event.js';

/**
 * Turns a schema 2.0 or 1.0 envelope into one LarkEvent. Unlike the SDK's flattening, nothing
 * of the `event` object is overwritten: a 1.0 event keeps its own `type` and `uuid`.
 * Returns undefined when the body is neither.
 */
export function normalizeEnvelope(body: unknown): LarkEvent | undefined {
  if (!isObject(body)) return undefined;
  if (body.schema === '2.0' && isObject(body.header)) return fromSchema2(body.header, body.event);
  if (isObject(body.event) && typeof body.event.type === 'string') return fromSchema1(body);
  return undefined;
}

function fromSchema2(header: Json, event: unknown): LarkEvent | undefined {
  const eventType = str(header.event_type);
  if (!eventType) return undefined;
  return {
    schema: '2.0',
    // A missing id must never collapse distinct events into one: fall back to a unique id.
    eventId: str(header.event_id) ?? `missing-id:${randomUUID()}`,
    eventType,
    createdAtMs: toEpochMs(header.create_time),
    tenantKey: str(header.tenant_key),
    appId: str(header.app_id),
    payload: isObject(event) ? event : {},
  };
}

function fromSchema1(body: Json): LarkEvent {
  const event = body.event as Json;
  return {
    schema: '1.0',
    eventId: str(body.uuid) ?? `missing-id:${randomUUID()}`,
    eventType: event.type as string,
    createdAtMs: toEpochMs(body.ts),
    tenantKey: str(event.tenant_key),
    appId: str(event.app_id),
    payload: event,
  };
}

/**
 * Platform timestamps come as seconds with a fraction (`"1760000000.5"`, schema 1.0),
 * milliseconds (13 digits) or microseconds (16 digits, card callbacks).
 */
export function toEpochMs(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const [whole] = text.split('.');
  const n = Number(text);
  if (whole!.length <= 11) return Math.round(n * 1000);
  if (whole!.length <= 14) return Math.round(n);
  if (whole!.length <= 17) return Math.round(n / 1000);
  return Math.round(n / 1_000_000);
}
