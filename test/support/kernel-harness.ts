import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../../src/emulator/index.js';
import type { EmulatorOptions } from '../../src/emulator/types.js';
import { systemClock } from '../../src/kernel/clock.js';
import { parseConfigText } from '../../src/kernel/config/config-loader.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { captureLogs, type CapturedLogs } from '../../src/testing/captured-logs.js';
import { startTestKit, type TestKit } from '../../src/testing/test-kit.js';

export const APP = { appId: 'cli_a1b2c3d4e5f60718', appSecret: 'e2e-app-secret-value' };
export const BOT = { openId: 'ou_bot0000000000000000000000000001', appName: 'OrderBot' };

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/configs');

export interface Harness {
  emulator: Emulator;
  kernel: Kernel;
  logs: CapturedLogs;
  kit: TestKit;
  stop(): Promise<void>;
}

/**
 * Starts an emulator and a kernel configured by `yaml` (plugin paths relative to
 * test/fixtures/configs), pointed at each other, and waits for the long connection. The
 * test kit does the work; its `app` section is replaced by the emulator's.
 */
export async function startHarness(
  yaml: string,
  emulatorOptions: Partial<EmulatorOptions> = {},
): Promise<Harness> {
  const kit = await startTestKit({
    config: yaml,
    baseDir: fixturesDir,
    app: APP,
    bot: BOT,
    emulator: emulatorOptions,
    clock: systemClock,
  });
  const { emulator, kernel, logs } = kit;
  return { emulator, kernel, logs, kit, stop: () => kit.stop() };
}

/**
 * Another kernel configured by `yaml` (plugin paths relative to test/fixtures/configs),
 * connected to the emulator of an existing harness: a second instance of the same app, e.g.
 * on the same Redis. The caller stops it.
 */
export async function startAnotherKernel(
  emulator: Emulator,
  yaml: string,
): Promise<{ kernel: Kernel; logs: CapturedLogs }> {
  const env = { APP_ID: APP.appId, APP_SECRET: APP.appSecret, DOMAIN: emulator.baseUrl };
  const loaded = parseConfigText(yaml, env, path.join(fixturesDir, 'e2e.yaml'));
  const logs = captureLogs('debug', [APP.appSecret]);
  const kernel = new Kernel({ config: loaded.config, logger: logs.logger, baseDir: loaded.baseDir,
    app: { ...APP, domain: emulator.baseUrl } });
  await kernel.start();
  await kernel.connection.ready();
  return { kernel, logs };
}
