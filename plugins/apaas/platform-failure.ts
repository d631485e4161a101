import { isAxiosError } from 'axios';

/** The platform codes whose meaning the aPaaS client acts on (reference §6). */
export const PlatformCodes = {
  rateLimited: 99991400,
  userTokenInvalid: 99991668,
  userTokenExpired: 99991677,
  appScopeMissing: 99991672,
  userScopeMissing: 99991679,
} as const;

/** What a failed OpenAPI call says, whether it came as an HTTP error or a non-zero code. */
export interface PlatformFailure {
  code: number | undefined;
  msg: string;
  httpStatus: number | undefined;
  logId: string | undefined;
  /** Scopes the platform names in `permission_violations` (or, failing that, in `msg`). */
  scopes: string[];
  /** `x-ogw-ratelimit-reset`: seconds until the rate-limit window resets. */
  resetSeconds: number | undefined;
}

interface ErrorBody {
  code?: unknown;
  msg?: unknown;
  error?: { log_id?: unknown; permission_violations?: { subject?: unknown }[] };
}

/** Reads a platform answer with a non-zero code. */
export function failureOfBody(body: ErrorBody, httpStatus?: number,
  headers?: Record<string, unknown>): PlatformFailure {
  const msg = typeof body.msg === 'string' ? body.msg : '';
  return {
    code: typeof body.code === 'number' ? body.code : undefined,
    msg,
    httpStatus,
    logId: typeof body.error?.log_id === 'string' ? body.error.log_id
      : headerOf(headers, 'x-tt-logid'),
    scopes: scopesOf(body, msg),
    resetSeconds: numberOf(headerOf(headers, 'x-ogw-ratelimit-reset')),
  };
}

/** Reads whatever the SDK threw: an HTTP error with a platform body, or a transport error. */
export function failureOfError(err: unknown): PlatformFailure {
  if (isAxiosError(err) && err.response) {
    const body = (typeof err.response.data === 'object' && err.response.data) || {};
    return failureOfBody(body as ErrorBody, err.response.status,
      err.response.headers as Record<string, unknown>);
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { code: undefined, msg, httpStatus: undefined, logId: undefined, scopes: [],
    resetSeconds: undefined };
}

function scopesOf(body: ErrorBody, msg: string): string[] {
  const violations = body.error?.permission_violations ?? [];
  const subjects = violations.map((violation) => violation.subject)
    .filter((subject): subject is string => typeof subject === 'string');
  if (subjects.length > 0) return subjects;
  const listed = /\[([^\]]+)\]/.exec(msg)?.[1];
  return listed ? listed.split(',').map((scope) => scope.trim()).filter(Boolean) : [];
}

function headerOf(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return typeof value === 'string' ? value : undefined;
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}
