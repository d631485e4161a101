import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Emulator } from '../../src/emulator/index.js';
import type { EmulatorOptions } from '../../src/emulator/types.js';
import { parseConfigText } from '../../src/kernel/config/config-loader.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { captureLogs, type CapturedLogs } from './memory-logger.js';

export const APP = { appId: 'cli_a1b2c3d4e5f60718', appSecret: 'e2e-app-secret-value' };
export const BOT = { openId: 'ou_bot0000000000000000000000000001', appName: 'OrderBot' };

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/configs');

export interface Harness {
  emulator: Emulator;
  kernel: Kernel;
  logs: CapturedLogs;
  stop(): Promise<void>;
}

/**
 * Starts an emulator and a kernel configured by `yaml` (plugin paths relative to
 * test/fixtures/configs), pointed at each other, and waits for the long connection.
 */
export async function startHarness(
  yaml: string,
  emulatorOptions: Partial<EmulatorOptions> = {},
): Promise<Harness> {
  const emulator = await Emulator.start({
    apps: [APP],
    bot: BOT,
    clientConfig: { PingInterval: 30, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 },
    ...emulatorOptions,
  });
  const env = { APP_ID: APP.appId, APP_SECRET: APP.appSecret, DOMAIN: emulator.baseUrl };
  const loaded = parseConfigText(yaml, env, path.join(fixturesDir, 'e2e.yaml'));
  const logs = captureLogs('debug', [APP.appSecret]);
  const app = {
    appId: loaded.config.app.appId!,
    appSecret: loaded.config.app.appSecret!,
    domain: loaded.config.app.domain,
  };
  const kernel = new Kernel({ config: loaded.config, app, logger: logs.logger, baseDir: loaded.baseDir });
  await kernel.start();
  await kernel.connection.ready();
  return {
    emulator,
    kernel,
    logs,
    stop: async () => {
      await kernel.stop();
      await emulator.stop();
    },
  };
}
