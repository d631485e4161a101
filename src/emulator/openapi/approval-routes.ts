import { ok, platformError, type Reply } from './platform-errors.js';
import type { OpenApiState, Route, RouteCall } from './route.js';

/** Approval API codes (reference §2.4, subscribe). */
export const ApprovalCode = {
  invalidParam: 1390001,
  approvalNotFound: 1390002,
  alreadySubscribed: 1390007,
} as const;

/**
 * `POST /open-apis/approval/v4/approvals/:approval_code/subscribe`: the approval API lives
 * under its own root (`approval/v4`), not under `im` or `event`. Tenant token required.
 */
function subscribe(call: RouteCall, state: OpenApiState): Reply {
  const approvalCode = decodeURIComponent(call.params[0] ?? '');
  if (approvalCode === '') {
    return platformError(400, ApprovalCode.invalidParam, 'approval_code is required');
  }
  const outcome = state.approvals.subscribe(call.appId, approvalCode);
  if (outcome === 'unknown-approval') {
    return platformError(400, ApprovalCode.approvalNotFound, 'approval code not found');
  }
  if (outcome === 'already-subscribed') {
    return platformError(400, ApprovalCode.alreadySubscribed, 'subscription existed');
  }
  return ok({ code: 0, msg: 'success', data: {} });
}

export const approvalRoutes: Route[] = [
  { method: 'POST', pattern: /^\/open-apis\/approval\/v4\/approvals\/([^/]*)\/subscribe$/,
    auth: true, handle: subscribe },
];
