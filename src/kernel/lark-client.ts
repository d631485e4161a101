import * as lark from '@larksuiteoapi/node-sdk';
import type { AxiosInstance } from 'axios';
import type { Keyv } from 'keyv';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import { createSdkLogger } from './sdk-logger.js';
import {
  createRenewingHttpInstance,
  installSingleFlightTenantToken,
  type TokenSource,
} from './tenant-token-renewal.js';

export type LarkClient = lark.Client;

export interface LarkAppSettings {
  appId: string;
  appSecret: string;
  /** 'feishu', 'lark' or a base URL used verbatim (the emulator's, for instance). */
  domain: string;
}

export function sdkDomain(domain: string): lark.Domain | string {
  if (domain === 'feishu') return lark.Domain.Feishu;
  if (domain === 'lark') return lark.Domain.Lark;
  return domain.replace(/\/+$/, '');
}

/**
 * The SDK's token cache interface, backed by the deployment store. The SDK's default cache is
 * a module-level singleton shared by every client in the process; ours is keyed per app id, so
 * two apps in one process or one Redis never see each other's token.
 */
export class StoreTokenCache {
  constructor(
    private readonly store: Keyv,
    private readonly clock: Clock,
  ) {}

  async get(key: string | symbol, options?: { namespace?: string }): Promise<unknown> {
    return this.store.get(cacheKey(key, options?.namespace));
  }

  async set(
    key: string | symbol,
    value: unknown,
    expire?: number,
    options?: { namespace?: string },
  ): Promise<boolean> {
    const ttl = expire === undefined || expire === Infinity ? undefined : expire - this.clock.now();
    if (ttl !== undefined && ttl <= 0) return false;
    await this.store.set(cacheKey(key, options?.namespace), value, ttl);
    return true;
  }

  async delete(key: string | symbol, options?: { namespace?: string }): Promise<void> {
    await this.store.delete(cacheKey(key, options?.namespace));
  }
}

function cacheKey(key: string | symbol, namespace = 'default'): string {
  return `${namespace}/${String(key.toString())}`;
}

export function createLarkClient(
  app: LarkAppSettings,
  cache: StoreTokenCache,
  logger: Logger,
  observeHttp?: (instance: AxiosInstance) => void,
): LarkClient {
  let tokens: TokenSource | undefined;
  const httpInstance = createRenewingHttpInstance(
    () => tokens!,
    logger.child({ component: 'openapi' }),
    observeHttp,
  );
  const client: LarkClient = new lark.Client({
    appId: app.appId,
    appSecret: app.appSecret,
    domain: sdkDomain(app.domain),
    appType: lark.AppType.SelfBuild,
    cache: cache as unknown as lark.Cache,
    logger: createSdkLogger(logger),
    loggerLevel: lark.LoggerLevel.warn,
    httpInstance: httpInstance as unknown as lark.HttpInstance,
  });
  tokens = installSingleFlightTenantToken(client, cache, app.appId);
  return client;
}
