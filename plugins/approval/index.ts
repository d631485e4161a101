import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { LarkEvent } from '../../src/kernel/dispatch/lark-event.js';
import {
  definePlugin,
  serviceToken,
  type PluginContext,
} from '../../src/kernel/plugins/plugin-definition.js';
import { approvalCard } from './approval-card.js';
import {
  APPROVAL_INSTANCE_V1,
  APPROVAL_INSTANCE_V2,
  readApprovalInstance,
  type ApprovalInstanceChange,
} from './approval-event.js';
import { ApprovalEvents } from './approval-events.js';
import { subscribeApproval } from './approval-subscription.js';

export {
  APPROVAL_INSTANCE_V1,
  APPROVAL_INSTANCE_V2,
  readApprovalInstance,
  type ApprovalInstanceChange,
  type ApprovalStatus,
} from './approval-event.js';
export { ApprovalEvents, type ApprovalListener } from './approval-events.js';

/** Other plugins subscribe to normalised approval changes through this service. */
export const ApprovalEventsService = serviceToken<ApprovalEvents>('approval.events');

const STATUSES = [
  'PENDING', 'APPROVED', 'REJECTED', 'CANCELED', 'DELETED', 'REVERTED',
  'OVERTIME_CLOSE', 'OVERTIME_RECOVER',
] as const;

const optionsSchema = z.strictObject({
  /** Approval definitions to subscribe at start (the codes from the approval admin console). */
  approvalCodes: z.array(z.string().min(1)).default([]),
  notify: z
    .strictObject({
      /** Chats that get a card for every change. */
      chatIds: z.array(z.string().regex(/^oc_/, 'must be a chat id (oc_...)')).default([]),
      /** Also send the card to the person who started the instance (2.0 events name them). */
      initiator: z.boolean().default(false),
    })
    .prefault({}),
  /** Which statuses produce a card; every status reaches subscribers of the service. */
  notifyOn: z.array(z.enum(STATUSES)).default([...STATUSES]),
});

type Options = z.output<typeof optionsSchema>;

export default definePlugin<Options>({
  name: 'approval',
  description: 'Subscribes approval definitions, normalises their events, notifies with a card',
  options: optionsSchema as z.ZodType<Options>,
  provides: [ApprovalEventsService],
  async start(ctx) {
    const events = new ApprovalEvents(ctx.logger);
    ctx.provide(ApprovalEventsService, events);
    for (const type of [APPROVAL_INSTANCE_V1, APPROVAL_INSTANCE_V2]) {
      ctx.on(type, (event) => onApprovalEvent(ctx, events, event));
    }
    for (const code of ctx.options.approvalCodes) {
      const outcome = await subscribeApproval(ctx.lark, code, ctx.id);
      ctx.logger.info({ approvalCode: code, outcome }, 'approval definition subscribed');
    }
  },
});

async function onApprovalEvent(
  ctx: PluginContext<Options>,
  events: ApprovalEvents,
  event: LarkEvent,
): Promise<void> {
  const change = readApprovalInstance(event);
  if (!change) {
    const fields = { eventId: event.eventId, eventType: event.eventType };
    ctx.logger.warn(fields, 'approval event without codes ignored');
    return;
  }
  await events.publish(change);
  if (!(ctx.options.notifyOn as readonly string[]).includes(change.status)) return;
  await notify(ctx, change);
  ctx.logger.info({ eventId: change.eventId, status: change.status }, 'approval change notified');
}

async function notify(ctx: PluginContext<Options>, change: ApprovalInstanceChange): Promise<void> {
  const content = JSON.stringify(approvalCard(change));
  const targets: [string, string][] = ctx.options.notify.chatIds.map((id) => ['chat_id', id]);
  if (ctx.options.notify.initiator && change.initiatorOpenId) {
    targets.push(['open_id', change.initiatorOpenId]);
  }
  for (const [receiveIdType, receiveId] of targets) {
    await ctx.lark.im.v1.message.create({
      params: { receive_id_type: receiveIdType as 'chat_id' | 'open_id' },
      // The same uuid within an hour sends at most once, should this event be handled again.
      data: {
        receive_id: receiveId,
        msg_type: 'interactive',
        content,
        uuid: sendUuid(change, receiveId),
      },
    });
  }
}

function sendUuid(change: ApprovalInstanceChange, receiveId: string): string {
  const digest = createHash('sha256').update(`${change.eventId}/${receiveId}`).digest('hex');
  return `approval-${digest.slice(0, 40)}`;
}
