import { newEventId, stableHex } from './ids.js';
import type { ResolvedOptions } from './options.js';
import type { ApprovalInstanceInput } from './types.js';

type ResolvedApp = ResolvedOptions['apps'][number];

/**
 * An approval instance status change, in the documented schema 1.0 form (`approval_instance`,
 * `ts` in seconds, `uuid` as the only id) or the 2.0 form the SDK typings describe
 * (`approval.instance.status_changed_v4`, reference Uncertain #5).
 */
export function buildApprovalInstanceEvent(app: ResolvedApp, input: ApprovalInstanceInput): object {
  const operateTimeMs = input.operateTimeMs ?? Date.now();
  return input.schema === '2.0'
    ? schema2(app, input, operateTimeMs)
    : schema1(app, input, operateTimeMs);
}

function schema1(app: ResolvedApp, input: ApprovalInstanceInput, operateTimeMs: number): object {
  // REVERTED carries operate_time as an int64, the others as a string of ms (reference §2.4).
  const operateTime = input.status === 'REVERTED' ? operateTimeMs : String(operateTimeMs);
  return {
    ts: (Date.now() / 1000).toFixed(7),
    uuid: input.eventId ?? newEventId(),
    token: app.verificationToken,
    type: 'event_callback',
    event: {
      app_id: app.appId,
      tenant_key: app.tenantKey,
      type: 'approval_instance',
      approval_code: input.approvalCode,
      instance_code: input.instanceCode,
      status: input.status,
      operate_time: operateTime,
      instance_operate_time: String(operateTimeMs),
      ...(input.instanceUuid !== undefined && { uuid: input.instanceUuid }),
    },
  };
}

function schema2(app: ResolvedApp, input: ApprovalInstanceInput, operateTimeMs: number): object {
  const starter = input.initiatorOpenId;
  return {
    schema: '2.0',
    header: {
      event_id: input.eventId ?? newEventId(),
      event_type: 'approval.instance.status_changed_v4',
      create_time: String(Date.now()),
      token: app.verificationToken,
      app_id: app.appId,
      tenant_key: app.tenantKey,
    },
    event: {
      approval_code: input.approvalCode,
      instance_code: input.instanceCode,
      ...(input.externalId !== undefined && { external_id: input.externalId }),
      status: input.status,
      operate_time: String(operateTimeMs),
      ...(starter !== undefined && {
        start_user: { open_id: starter, union_id: `on_${stableHex(`union:${starter}`)}`,
          user_id: stableHex(`user:${starter}`, 8) },
      }),
    },
  };
}
