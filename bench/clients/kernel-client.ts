import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { validateConfig } from '../../src/kernel/config/config-loader.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { createLogger } from '../../src/kernel/logger.js';
import { BENCH_APP, type BenchClient, type ClientSettings } from './bench-client.js';

const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * A kernel as a deployment runs it: configuration through the schema (defaults applied), the
 * bench plugin loaded by path, logs at info (written nowhere, so the terminal is not timed).
 */
export async function startKernelClient(settings: ClientSettings): Promise<BenchClient> {
  const config = validateConfig({
    app: { ...BENCH_APP, domain: settings.baseUrl },
    store: settings.store,
    logging: { level: 'info' },
    dispatch: settings.handlerConcurrency
      ? { handlerConcurrency: settings.handlerConcurrency }
      : {},
    plugins: [{ use: './bench-plugin.js', options: { delayMs: settings.handlerDelayMs } }],
  });
  const logger = createLogger({ level: 'info', secrets: [BENCH_APP.appSecret] }, discard());
  const kernel = new Kernel({
    config,
    app: { ...BENCH_APP, domain: settings.baseUrl },
    logger,
    baseDir: benchDir,
  });
  await kernel.start();
  await kernel.connection.ready();
  return { side: 'kernel', stop: () => kernel.stop() };
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
