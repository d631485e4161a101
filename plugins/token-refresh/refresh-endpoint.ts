import {
  tokensOf, type IssuedTokens, type OAuthEndpoints,
} from '../card-auth/platform-oauth.js';

/** What the v2 token endpoint issued for a refresh: the same shape as a first grant. */
export type RefreshedTokens = IssuedTokens;

/**
 * One refresh attempt as the caller must judge it: issued, or refused with the platform's
 * HTTP status and code, or no answer at all (`network`: reset, DNS, timeout).
 */
export type RefreshAttempt =
  | { kind: 'issued'; tokens: RefreshedTokens }
  | { kind: 'refused'; status: number; code?: number; error?: string }
  | { kind: 'network'; reason: string };

export interface RefreshCredentials {
  appId: string;
  appSecret: string;
}

/**
 * `POST /open-apis/authen/v2/oauth/token` with `grant_type=refresh_token`. Nothing of the
 * request or the answer body is logged or kept: both carry tokens.
 */
export class RefreshEndpoint {
  constructor(
    private readonly endpoints: OAuthEndpoints,
    private readonly app: RefreshCredentials,
    private readonly timeoutMs: number,
  ) {}

  async refresh(refreshToken: string): Promise<RefreshAttempt> {
    const url = `${this.endpoints.openApiBaseUrl}/open-apis/authen/v2/oauth/token`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken,
          client_id: this.app.appId, client_secret: this.app.appSecret }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      return { kind: 'network', reason: describeNetworkError(err) };
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status === 200 && typeof body['access_token'] === 'string') {
      return { kind: 'issued', tokens: tokensOf(body) };
    }
    return { kind: 'refused', status: res.status,
      ...(typeof body['code'] === 'number' && { code: body['code'] }),
      ...(typeof body['error'] === 'string' && { error: body['error'] }) };
  }
}

/** The kind of failure only (a timeout, a reset), never a URL or body. */
function describeNetworkError(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timeout';
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : 'network error';
}
