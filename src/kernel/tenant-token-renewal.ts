import * as lark from '@larksuiteoapi/node-sdk';
import axios, { type AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import type { Logger } from './logger.js';

/** 99991663: tenant token invalid or expired; 99991664: app token invalid. */
const STALE_TOKEN_CODES = new Set([99991663, 99991664]);
/** Tenant tokens rotate rarely; a few recent ones cover requests still in flight. */
const RECENT_TOKENS_KEPT = 4;
const RENEWED = Symbol('lark-service:token-renewed');

export interface TokenSource {
  /** The current tenant token: the cached one, or one fetch shared by every concurrent caller. */
  current(): Promise<string>;
  /**
   * A token other than `rejected`: the first caller to report a rejected token evicts it and
   * fetches; callers that report the same token meanwhile share that fetch, and callers that
   * come after it get the new cached token.
   */
  renew(rejected: string): Promise<string>;
  /** Whether this source handed out `token`: a user token is never renewed as a tenant one. */
  issued(token: string): boolean;
}

type RenewableConfig = InternalAxiosRequestConfig & {
  [RENEWED]?: boolean;
  $return_headers?: boolean;
};

/**
 * The HTTP instance handed to the SDK `Client`. It behaves like the SDK's default (the response
 * body is the result) and adds what the SDK lacks: when the platform says the cached tenant
 * token is no longer valid (it rotated elsewhere, the secret was reset, or a persistent cache
 * outlived it), the entry is evicted, a new token fetched and the call replayed once.
 */
export function createRenewingHttpInstance(
  tokens: () => TokenSource,
  logger: Logger,
  observe?: (instance: AxiosInstance) => void,
): AxiosInstance {
  const instance = axios.create();
  // Observers (metrics) see each HTTP exchange before the renewal logic acts on it.
  observe?.(instance);
  instance.interceptors.response.use(
    (response) =>
      (response.config as RenewableConfig).$return_headers
        ? { data: response.data, headers: response.headers }
        : response.data,
    async (error: AxiosError<{ code?: number }>) => {
      const config = error.config as RenewableConfig | undefined;
      const code = error.response?.data?.code;
      const stale = code !== undefined && STALE_TOKEN_CODES.has(code);
      if (!config || config[RENEWED] || !stale) throw error;
      const sent = String(config.headers?.Authorization ?? '').replace(/^Bearer\s+/, '');
      if (!sent || !tokens().issued(sent)) throw error;
      logger.warn({ code, url: config.url },
        'tenant token rejected; fetching a new one and retrying once');
      config[RENEWED] = true;
      config.headers.Authorization = `Bearer ${await tokens().renew(sent)}`;
      return instance.request(config);
    },
  );
  return instance;
}

interface SdkTokenManager {
  getTenantAccessToken(params?: unknown): Promise<string>;
}

interface TokenCacheAccess {
  get(k: symbol, o: object): Promise<unknown>;
  delete(k: symbol, o: object): Promise<void>;
}

/**
 * Makes the SDK's tenant-token requests single-flight and exposes them as a `TokenSource`. The
 * SDK's token manager reads its cache and, on a miss, requests a token per caller: ten calls at
 * start-up meant ten token requests. Every path the SDK takes to a tenant token now goes
 * through one shared request per app and process.
 */
export function installSingleFlightTenantToken(
  client: lark.Client,
  cache: TokenCacheAccess,
  appId: string,
): TokenSource {
  const options = { namespace: appId };
  // The SDK keeps its token manager internal; the version is pinned, and tests cover this path.
  const manager = (client as unknown as { tokenManager: SdkTokenManager }).tokenManager;
  const fetchThroughSdk = manager.getTenantAccessToken.bind(manager);
  const cached = async () =>
    (await cache.get(lark.CTenantAccessToken, options)) as string | undefined;
  let inFlight: Promise<string> | undefined;
  const renewals = new Map<string, Promise<string>>();
  const recent: string[] = [];

  const remember = (token: string): string => {
    if (!recent.includes(token)) recent.push(token);
    if (recent.length > RECENT_TOKENS_KEPT) recent.shift();
    return token;
  };

  const current = (): Promise<string> => {
    inFlight ??= fetchThroughSdk()
      .then(remember)
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const evictAndFetch = async (rejected: string): Promise<string> => {
    if ((await cached()) === rejected) {
      // A flight that began before the eviction may still return the rejected token.
      inFlight = undefined;
      await cache.delete(lark.CTenantAccessToken, options);
    }
    return current();
  };

  const renew = (rejected: string): Promise<string> => {
    let renewal = renewals.get(rejected);
    if (!renewal) {
      renewal = evictAndFetch(rejected).finally(() => renewals.delete(rejected));
      renewals.set(rejected, renewal);
    }
    return renewal;
  };

  manager.getTenantAccessToken = (params?: unknown) =>
    params === undefined || isSelfBuildParams(params) ? current() : fetchThroughSdk(params);
  return { current, renew, issued: (token) => recent.includes(token) };
}

/** The SDK passes `{ [CTenantKey]: undefined }` for self-built apps; marketplace apps differ. */
function isSelfBuildParams(params: unknown): boolean {
  return Object.values(params as Record<string, unknown>).every((v) => v === undefined);
}
