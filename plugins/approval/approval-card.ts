import type { ApprovalInstanceChange } from './approval-event.js';

const TITLES: Record<string, [string, string]> = {
  PENDING: ['Approval pending', 'blue'],
  APPROVED: ['Approval approved', 'green'],
  REJECTED: ['Approval rejected', 'red'],
  CANCELED: ['Approval canceled', 'grey'],
  DELETED: ['Approval deleted', 'grey'],
  REVERTED: ['Approval reverted', 'orange'],
  OVERTIME_CLOSE: ['Approval closed after the time limit', 'grey'],
  OVERTIME_RECOVER: ['Approval reopened', 'blue'],
};

/** A JSON 2.0 card telling a chat or a person about an approval status change. */
export function approvalCard(change: ApprovalInstanceChange): Record<string, unknown> {
  const [title, template] = TITLES[change.status] ?? [`Approval ${change.status}`, 'blue'];
  const when = change.operateTimeMs === undefined
    ? 'unknown'
    : new Date(change.operateTimeMs).toISOString().replace('.000Z', 'Z');
  const lines = [
    `**Status:** ${change.status}`,
    `**Approval:** ${change.approvalCode}`,
    `**Instance:** ${change.instanceCode}`,
    `**At:** ${when}`,
  ];
  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: `${title}: ${change.instanceCode}` } },
    header: { title: { tag: 'plain_text', content: title }, template },
    body: { elements: [{ tag: 'markdown', content: lines.join('\n') }] },
  };
}
