import { randomBytes } from 'node:crypto';

import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach } from 'vitest';

import { Emulator, type EmulatorOptions } from '../../src/emulator/index.js';

/**
 * Handlers keyed by event type. Looser than the SDK's typings, which lack some event types
 * (card.action.trigger) and mark every payload field optional.
 */
type Handlers = Record<string, (data: never) => unknown>;
type SdkHandlers = Parameters<lark.EventDispatcher['register']>[0];
type WSClientParams = ConstructorParameters<typeof lark.WSClient>[0];

export interface TestApp {
  appId: string;
  appSecret: string;
}

/**
 * The SDK caches tenant tokens in a process-wide singleton keyed by app id, so every test
 * gets an app id of its own.
 */
export function freshApp(): TestApp {
  return { appId: `cli_${randomBytes(8).toString('hex')}`, appSecret: randomBytes(8).toString('hex') };
}

/** Fast reconnects for tests: reconnect 1 s after a failure, no random nonce. */
export const FAST_CLIENT_CONFIG = {
  PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0,
};

/** Starts emulators and real SDK clients for one test and tears them all down after it. */
export function useEmulatorHarness() {
  const teardown: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const step of teardown.splice(0).reverse()) await step();
  });

  async function startEmulator(
    overrides: Partial<EmulatorOptions> = {},
  ): Promise<{ emu: Emulator; app: TestApp }> {
    const app = freshApp();
    const emu = await Emulator.start({ apps: [app], ...overrides });
    teardown.push(() => emu.stop());
    return { emu, app };
  }

  /** A started WSClient with the given handlers; resolves once the emulator sees it. */
  async function connectSdk(
    emu: Emulator,
    app: TestApp,
    handlers: Handlers,
    extra: Partial<WSClientParams> = {},
  ): Promise<lark.WSClient> {
    const client = startSdk(emu, app, handlers, extra);
    await emu.waitForConnections(1, { appId: app.appId });
    return client;
  }

  function startSdk(
    emu: Emulator,
    app: TestApp,
    handlers: Handlers,
    extra: Partial<WSClientParams> = {},
  ): lark.WSClient {
    const client = new lark.WSClient({
      appId: app.appId,
      appSecret: app.appSecret,
      domain: emu.baseUrl,
      loggerLevel: lark.LoggerLevel.error,
      logger: silentLogger,
      ...extra,
    });
    teardown.push(() => client.close({ force: true }));
    const dispatcher = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error });
    void client.start({ eventDispatcher: dispatcher.register(handlers as SdkHandlers) });
    return client;
  }

  function apiClient(emu: Emulator, app: TestApp): lark.Client {
    return new lark.Client({ appId: app.appId, appSecret: app.appSecret, domain: emu.baseUrl,
      loggerLevel: lark.LoggerLevel.error, logger: silentLogger });
  }

  return { startEmulator, connectSdk, startSdk, apiClient };
}

/** Keeps expected SDK error lines (failed pushes, reconnects) out of the test output. */
const silentLogger = {
  error: () => undefined, warn: () => undefined, info: () => undefined,
  debug: () => undefined, trace: () => undefined,
};
