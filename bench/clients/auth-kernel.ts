import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CardAuthorizationService } from '../../plugins/card-auth/index.js';
import { validateConfig } from '../../src/kernel/config/config-loader.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { createLogger } from '../../src/kernel/logger.js';
import { authorizationServices } from '../auth-requester-plugin.js';
import { BENCH_APP } from './bench-client.js';

const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export const BENCH_BOT = { openId: 'ou_0bench0b0700000000000000000000b', appName: 'BenchBot' };

export interface AuthKernel {
  kernel: Kernel;
  auth: CardAuthorizationService;
  stop(): Promise<void>;
}

/**
 * A kernel with session-manager and card-auth (device flow) as a deployment configures them,
 * plus the bench's requester plugin; memory store, logs at warn written nowhere.
 */
export async function startAuthKernel(baseUrl: string, options: {
  sessionTtlMinutes: number;
  /** Requests per user per minute; the scenarios ask once per user. */
  rateLimitPerMinute?: number;
  /** card-auth's polling.maxPerSecond (default: the plugin's). */
  pollsPerSecond?: number;
}): Promise<AuthKernel> {
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const app = { ...BENCH_APP, domain: baseUrl };
  const config = validateConfig({
    app,
    store: { type: 'memory' },
    logging: { level: 'warn' },
    plugins: [
      { use: 'session-manager', options: {
        encryptionKey: randomBytes(32).toString('base64'),
        sessionTtlMinutes: options.sessionTtlMinutes } },
      { use: 'card-auth', options: { flow: 'device', language: 'en', openInFeishu: false,
        rateLimitPerMinute: options.rateLimitPerMinute ?? 5,
        ...(options.pollsPerSecond !== undefined
          && { polling: { maxPerSecond: options.pollsPerSecond } }) } },
      { use: './auth-requester-plugin.js', options: { name } },
    ],
  });
  const logger = createLogger({ level: 'warn', secrets: [BENCH_APP.appSecret] }, discard());
  const kernel = new Kernel({ config, app, logger, baseDir: benchDir });
  await kernel.start();
  await kernel.connection.ready();
  const auth = authorizationServices.get(name);
  if (!auth) throw new Error('the bench requester plugin did not start');
  return { kernel, auth, stop: () => kernel.stop() };
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
