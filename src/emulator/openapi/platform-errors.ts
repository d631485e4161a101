import { newLogId } from '../ids.js';

/**
 * Platform error codes the emulator answers with, and their HTTP statuses (reference §6;
 * IM codes §5.1, §3.3). Where the reference has no status, the code's family status is used.
 */
export const PlatformCode = {
  ok: 0,
  /** Token endpoints: missing or malformed app_id / app_secret. */
  invalidParam: 10003,
  /** Token endpoints: the secret does not match the app. */
  appSecretInvalid: 10014,
  badJson: 9499,
  pathNotFound: 99991201,
  missingToken: 99991661,
  invalidToken: 99991663,
  imInvalidParam: 230001,
  imTooLong: 230025,
  imNoPermission: 230027,
  cardInvalid: 10002,
} as const;

export interface Reply {
  status: number;
  body: object;
  headers?: Record<string, string>;
  /** Close the socket without answering (a scripted network failure). */
  reset?: boolean;
}

/** The OpenAPI failure shape: `{code, msg, error: {message, log_id}}` (reference §6). */
export function platformError(status: number, code: number, msg: string): Reply {
  const logId = newLogId();
  return {
    status,
    body: { code, msg, error: { message: msg, log_id: logId } },
    headers: { 'x-tt-logid': logId },
  };
}

export function ok(body: object): Reply {
  return { status: 200, body, headers: { 'x-tt-logid': newLogId() } };
}

export const missingToken = (): Reply => platformError(400, PlatformCode.missingToken,
  'Missing access token for authorization. Please make a request with token attached.');

export const invalidToken = (): Reply => platformError(400, PlatformCode.invalidToken,
  'Invalid access token for authorization. Please make a request with token attached.');

export const imInvalidParam = (detail: string): Reply =>
  platformError(400, PlatformCode.imInvalidParam, `invalid request param: ${detail}`);
