import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../../src/emulator/index.js';
import type { EmulatorOptions } from '../../src/emulator/types.js';
import { systemClock } from '../../src/kernel/clock.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { CapturedLogs } from '../../src/testing/captured-logs.js';
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
