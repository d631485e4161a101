import { toEpochMs } from '../../src/kernel/dispatch/envelope.js';
import type { LarkEvent } from '../../src/kernel/dispatch/lark-event.js';

export const APPROVAL_INSTANCE_V1 = 'approval_instance';
export const APPROVAL_INSTANCE_V2 = 'approval.instance.status_changed_v4';

export type ApprovalStatus =
  | 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELED' | 'DELETED' | 'REVERTED'
  | 'OVERTIME_CLOSE' | 'OVERTIME_RECOVER';

/** An approval instance status change, one shape for the 1.0 and the 2.0 event. */
export interface ApprovalInstanceChange {
  /** The dedup key: the envelope `uuid` (1.0) or `header.event_id` (2.0). */
  eventId: string;
  schema: '1.0' | '2.0';
  approvalCode: string;
  instanceCode: string;
  status: ApprovalStatus | string;
  /** When the status changed, ms since the epoch (`operate_time`, string or int64). */
  operateTimeMs: number | undefined;
  /** When the platform created the event, ms. */
  createdAtMs: number | undefined;
  /** Who acted, when the event says (1.0 `open_id`); undefined otherwise. */
  operatorOpenId: string | undefined;
  /** Who started the instance: only the 2.0 event names them (`start_user`). */
  initiatorOpenId: string | undefined;
  /** 1.0: the instance's own uuid, set only if it was created with one. */
  instanceUuid: string | undefined;
  externalId: string | undefined;
  tenantKey: string | undefined;
}

type Fields = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** Reads either approval instance event; undefined when codes or status are missing. */
export function readApprovalInstance(event: LarkEvent): ApprovalInstanceChange | undefined {
  const p = event.payload as Fields;
  const approvalCode = text(p.approval_code);
  const instanceCode = text(p.instance_code);
  const status = text(p.status);
  if (!approvalCode || !instanceCode || !status) return undefined;
  const starter = (p.start_user ?? {}) as Fields;
  return {
    eventId: event.eventId,
    schema: event.schema,
    approvalCode,
    instanceCode,
    status,
    operateTimeMs: toEpochMs(p.operate_time),
    createdAtMs: event.createdAtMs,
    operatorOpenId: text(p.open_id),
    initiatorOpenId: text(starter.open_id),
    instanceUuid: event.schema === '1.0' ? text(p.uuid) : undefined,
    externalId: text(p.external_id),
    tenantKey: event.tenantKey,
  };
}
