import * as lark from '@larksuiteoapi/node-sdk';
import axios, { type AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import type { Logger } from './logger.js';

/** 99991663: tenant token invalid or expired; 99991664: app token invalid. */
const STALE_TOKEN_CODES = new Set([99991663, 99991664]);
const RENEWED = Symbol('lark-service:token-renewed');

export interface TokenSource {
  /** The tenant token the SDK's cache currently holds. */
  cached(): Promise<string | undefined>;
  evict(): Promise<void>;
  /** Fetches a fresh token (the SDK stores it in the cache). */
  fetch(): Promise<string>;
}

type RenewableConfig = InternalAxiosRequestConfig & { [RENEWED]?: boolean; $return_headers?: boolean };

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
      if (!config || config[RENEWED] || code === undefined || !STALE_TOKEN_CODES.has(code)) throw error;
      const source = tokens();
      const sent = String(config.headers?.Authorization ?? '').replace(/^Bearer\s+/, '');
      if (!sent || sent !== (await source.cached())) throw error;
      logger.warn({ code, url: config.url }, 'tenant token rejected; fetching a new one and retrying once');
      await source.evict();
      config[RENEWED] = true;
      config.headers.Authorization = `Bearer ${await source.fetch()}`;
      return instance.request(config);
    },
  );
  return instance;
}

/** Reads and renews the tenant token through the SDK's own token manager and cache. */
export function sdkTokenSource(
  client: lark.Client,
  cache: { get(k: symbol, o: object): Promise<unknown>; delete(k: symbol, o: object): Promise<void> },
  appId: string,
): TokenSource {
  const options = { namespace: appId };
  // The SDK keeps its token manager internal; the version is pinned, and a test covers this path.
  const manager = (client as unknown as { tokenManager: { getTenantAccessToken(): Promise<string> } })
    .tokenManager;
  return {
    cached: async () => (await cache.get(lark.CTenantAccessToken, options)) as string | undefined,
    evict: () => cache.delete(lark.CTenantAccessToken, options),
    fetch: () => manager.getTenantAccessToken(),
  };
}
