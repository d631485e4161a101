import { LarkServiceError } from '../../src/kernel/errors.js';
import type { LarkClient } from '../../src/kernel/lark-client.js';

/** 1390007: this app already subscribed this definition (reference §2.4). */
const ALREADY_SUBSCRIBED = 1390007;

interface PlatformAnswer {
  code?: number;
  msg?: string;
}

/**
 * Subscribes the app to one approval definition's events. Idempotent: an earlier subscription
 * (by this or another instance, or a previous run) answers 1390007, which counts as success.
 */
export async function subscribeApproval(
  lark: LarkClient,
  approvalCode: string,
  pluginId: string,
): Promise<'subscribed' | 'already-subscribed'> {
  let answer: PlatformAnswer;
  try {
    answer = (await lark.request({
      method: 'POST',
      url: `/open-apis/approval/v4/approvals/${encodeURIComponent(approvalCode)}/subscribe`,
    })) as PlatformAnswer;
  } catch (err) {
    answer = platformAnswerOf(err) ?? failed(approvalCode, pluginId, err);
  }
  if (answer.code === 0) return 'subscribed';
  if (answer.code === ALREADY_SUBSCRIBED) return 'already-subscribed';
  return failed(approvalCode, pluginId, undefined, answer);
}

/** The SDK rejects non-2xx answers with the platform's body on `response.data`. */
function platformAnswerOf(err: unknown): PlatformAnswer | undefined {
  const data = (err as { response?: { data?: unknown } })?.response?.data;
  return typeof data === 'object' && data !== null && 'code' in data
    ? (data as PlatformAnswer)
    : undefined;
}

function failed(code: string, pluginId: string, cause: unknown, answer?: PlatformAnswer): never {
  const why = answer
    ? `the platform answered ${answer.code} (${answer.msg ?? 'no message'})`
    : `the request failed: ${(cause as Error)?.message ?? String(cause)}`;
  throw new LarkServiceError(
    'LARK_E_APPROVAL_SUBSCRIBE_FAILED',
    `plugin "${pluginId}" cannot subscribe approval "${code}": ${why}; ` +
      'check options.approvalCodes against the approval admin console and that the app has ' +
      'the approval:approval:readonly scope',
    // Only the message: an HTTP client error carries request headers (the tenant token).
    { details: { plugin: pluginId, approvalCode: code, platformCode: answer?.code } },
  );
}
