import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../../src/emulator/index.js';
import { parseConfigText } from '../../src/kernel/config/config-loader.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { captureLogs, type CapturedLogs } from './memory-logger.js';

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/configs');

/** The end-to-end plugin set (e2e.yaml) with extra top-level settings appended. */
export function e2eConfigWith(extraYaml: string): string {
  return `${readFileSync(path.join(fixturesDir, 'e2e.yaml'), 'utf8')}\n${extraYaml}`;
}

export interface RunningKernel {
  kernel: Kernel;
  logs: CapturedLogs;
}

/** Starts a kernel for `app` against an emulator that is already running. */
export async function startKernelAgainst(
  emulator: Emulator,
  app: { appId: string; appSecret: string },
  yaml: string,
  env: Record<string, string> = {},
  secrets: string[] = [],
): Promise<RunningKernel> {
  const vars = { APP_ID: app.appId, APP_SECRET: app.appSecret, DOMAIN: emulator.baseUrl, ...env };
  const loaded = parseConfigText(yaml, vars, path.join(fixturesDir, 'e2e.yaml'));
  const logs = captureLogs('debug', [app.appSecret, ...secrets]);
  const kernel = new Kernel({
    config: loaded.config,
    app: { ...app, domain: emulator.baseUrl },
    logger: logs.logger,
    baseDir: loaded.baseDir,
  });
  await kernel.start();
  return { kernel, logs };
}
