import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { UserTokenRecord } from '../../plugins/session-manager/index.js';
import type { SchedulerRun } from '../../plugins/token-refresh/index.js';
import { validateConfig } from '../../src/kernel/config/config-loader.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { createLogger } from '../../src/kernel/logger.js';
import { BENCH_APP } from '../clients/bench-client.js';
import type { TokenIssueView } from '../emulator-protocol.js';
import { deleteKeysWithPrefix, uniqueRedisPrefix } from '../redis-keys.js';
import type { Measurement } from '../results.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { tokenUsers, type TokenUser } from '../token-user-plugin.js';

const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SCOPES = ['offline_access', 'calendar:calendar'];
const KERNELS = 3;
/** Access tokens stored as ending this soon: inside the last tenth of their two hours. */
const NEAR_EXPIRY_MS = 5 * 60_000;

interface RefreshKernel extends TokenUser {
  kernel: Kernel;
}

/**
 * Users whose access tokens are about to expire, three kernels on one Redis: each kernel's
 * token-refresh scheduler runs a pass at the same moment. Every user must be refreshed exactly
 * once (one refresh request each), and no refresh may reuse a refresh token (20064).
 */
const refresh: Scenario = {
  name: 'refresh',
  order: 4,
  description: 'stored users near token expiry, 3 kernels on one Redis: time to refresh all, ' +
    'refresh requests, 20064 errors',
  // Each kernel at most 16 refreshes a second, so the three stay under the platform's 50/s
  // per app: 10,000 users take at least 208 s however fast the kernels are.
  counts: { users: 10_000 },
  settings: { 'max-per-second': 16, concurrency: 16, 'store-window': 50 },
  async run(context) {
    if (!context.redisUrl) {
      context.progress('refresh: skipped (no Redis)');
      return [];
    }
    const prefix = uniqueRedisPrefix();
    const baseUrl = await context.emulator.start({ ...BENCH_APP, ackTimeoutMs: 10_000 });
    const errors = { refused20064: 0 };
    const kernels: RefreshKernel[] = [];
    try {
      const key = randomBytes(32).toString('base64');
      for (let n = 0; n < KERNELS; n++) {
        kernels.push(await startRefreshKernel(context, baseUrl, prefix, key, errors));
      }
      return await measure(context, kernels, errors);
    } finally {
      for (const k of kernels) await k.kernel.stop();
      await context.emulator.stop();
      await deleteKeysWithPrefix(context.redisUrl, prefix);
    }
  },
};

export default refresh;

async function measure(context: ScenarioContext, kernels: RefreshKernel[],
  errors: { refused20064: number }): Promise<Measurement[]> {
  const users = context.count('users');
  const openIds = Array.from({ length: users }, (_, n) =>
    `ou_0benchrefresh${n.toString(16).padStart(16, '0')}`);
  const issued = await context.emulator.issueTokens({ appId: BENCH_APP.appId, openIds,
    scopes: SCOPES });
  const storeStart = performance.now();
  await storeAll(kernels, issued, context.setting('store-window'));
  const storeSeconds = (performance.now() - storeStart) / 1000;
  context.progress(`refresh: ${users} grants stored in ${storeSeconds.toFixed(1)} s`);

  const before = await context.emulator.countRequests({ grantType: 'refresh_token' });
  const started = performance.now();
  const runs = await Promise.all(kernels.map((k) => k.tokens.runScheduledRefresh()));
  const seconds = (performance.now() - started) / 1000;
  const requests = (await context.emulator.countRequests({ grantType: 'refresh_token' })) - before;
  const tally = sum(runs);
  const note = `${users} users, ${KERNELS} kernels on one Redis, each scheduler at most ` +
    `${context.setting('max-per-second')} refreshes/s and ${context.setting('concurrency')} ` +
    `at once; outcomes ${JSON.stringify(tally)}; grants stored in ${storeSeconds.toFixed(1)} s; ` +
    'one run';
  const at = (metric: string, value: number, unit: string, target?: string): Measurement =>
    ({ scenario: 'refresh', metric, value, unit, note, ...(target && { target }) });
  return [
    at('time to refresh all', seconds, 's'),
    at('users refreshed', tally.refreshed ?? 0, 'users', `= ${users}`),
    at('refresh requests made', requests, 'requests', `= ${users}`),
    at('20064 errors', errors.refused20064, 'errors', '= 0'),
  ];
}

async function storeAll(kernels: RefreshKernel[], issued: TokenIssueView[],
  window: number): Promise<void> {
  const now = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < issued.length) {
      const n = next++;
      const grant = issued[n]!;
      const record: UserTokenRecord = { appId: BENCH_APP.appId, openId: grant.openId,
        accessToken: grant.accessToken, accessTokenExpiresAt: now + NEAR_EXPIRY_MS,
        refreshToken: grant.refreshToken,
        refreshTokenExpiresAt: now + grant.refreshTokenExpiresInSeconds * 1000,
        scopes: SCOPES, grantedAt: now, updatedAt: now };
      await kernels[n % kernels.length]!.vault.put(record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, window) }, worker));
}

function sum(runs: SchedulerRun[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const run of runs) {
    for (const [outcome, count] of Object.entries(run)) {
      total[outcome] = (total[outcome] ?? 0) + count;
    }
  }
  return total;
}

async function startRefreshKernel(context: ScenarioContext, baseUrl: string, prefix: string,
  encryptionKey: string, errors: { refused20064: number }): Promise<RefreshKernel> {
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const app = { ...BENCH_APP, domain: baseUrl };
  const config = validateConfig({
    app,
    store: { type: 'redis', url: context.redisUrl, prefix },
    logging: { level: 'warn' },
    plugins: [
      { use: 'session-manager', options: { encryptionKey } },
      { use: 'card-auth', options: { openInFeishu: false, language: 'en' } },
      { use: 'token-refresh', options: { scheduler: { intervalSeconds: 3600,
        concurrency: context.setting('concurrency'),
        maxPerSecond: context.setting('max-per-second') } } },
      { use: './token-user-plugin.js', options: { name } },
    ],
  });
  const logger = createLogger({ level: 'warn', secrets: [BENCH_APP.appSecret] },
    counting20064(errors));
  const kernel = new Kernel({ config, app, logger, baseDir: benchDir });
  await kernel.start();
  await kernel.connection.ready();
  const handle = tokenUsers.get(name);
  if (!handle) throw new Error('the bench token plugin did not start');
  return { kernel, ...handle };
}

/** Logs go nowhere, but a line naming the platform's 20064 is counted. */
function counting20064(errors: { refused20064: number }): Writable {
  return new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      if (chunk.toString().includes('20064')) errors.refused20064++;
      done();
    },
  });
}
