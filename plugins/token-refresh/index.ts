import { z } from 'zod';

import {
  definePlugin, serviceToken, type PluginContext,
} from '../../src/kernel/plugins/plugin-definition.js';
import { ApaasUserTokens } from '../apaas/index.js';
import { CardAuthorization } from '../card-auth/index.js';
import { endpointsFor } from '../card-auth/platform-oauth.js';
import { SecretBox, UserTokenVault } from '../session-manager/index.js';
import { ApaasTokenSource } from './apaas-token-source.js';
import { Reauthorization } from './reauthorization.js';
import { RefreshEndpoint } from './refresh-endpoint.js';
import { RefreshScheduler } from './refresh-scheduler.js';
import {
  TokenRefresh as TokenRefreshImpl, type TokenRefreshService,
} from './token-refresh-service.js';
import { UserInfoSync } from './user-info-sync.js';
import { UserTokenRefresher } from './user-token-refresher.js';

export { UserAuthorizationRequired, type ReauthorizationReason } from './token-errors.js';
export type { TokenRefreshService } from './token-refresh-service.js';
export type { TokenRequestOptions } from './user-token-refresher.js';
export type { ReauthorizationMark } from './reauthorization.js';
export type { SchedulerRun } from './refresh-scheduler.js';
export type { UserProfile } from './user-info-sync.js';

/** Valid user access tokens, refreshed once per user across instances. */
export const TokenRefresh = serviceToken<TokenRefreshService>('token-refresh.tokens');

const options = z.strictObject({
  /** Refresh once less than this share of an access token's lifetime is left. */
  refreshWhenRemaining: z.number().gt(0).lt(1).default(0.1),
  /** Named on cards asking users to authorize again. */
  feature: z.string().min(1).default('this app'),
  /**
   * Replaces the card's own line for a user whose authorization ran out (card-auth says it in
   * the card's language, naming the feature); `{feature}` is replaced.
   */
  notice: z.string().min(1).optional(),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  lock: z.strictObject({
    /** Frees the user's lock if its holder dies; longer than a refresh with its retries. */
    ttlMs: z.number().int().positive().default(60_000),
    waitMs: z.number().int().nonnegative().default(60_000),
  }).prefault({}),
  retry: z.strictObject({
    attempts: z.number().int().min(1).max(10).default(3),
    backoffMs: z.number().int().nonnegative().default(500),
    maxBackoffMs: z.number().int().nonnegative().default(5_000),
  }).prefault({}),
  scheduler: z.strictObject({
    enabled: z.boolean().default(true),
    intervalSeconds: z.number().positive().default(60),
    concurrency: z.number().int().min(1).max(50).default(4),
    maxPerSecond: z.number().positive().max(50).default(10),
    refreshTokenLeadHours: z.number().nonnegative().default(24),
  }).prefault({}),
  userInfo: z.strictObject({
    /** Store name, ids, email and mobile after every refresh. */
    syncOnRefresh: z.boolean().default(false),
    /** Also sync every user this often; 0 (default) is off. */
    intervalMinutes: z.number().nonnegative().default(0),
  }).prefault({}),
}).superRefine((o, ctx) => {
  // A refresh spends the single-use refresh token; if its retries outlived the lock, the new
  // tokens could not be stored and the user would have to authorize again.
  const longest = o.retry.attempts * (o.requestTimeoutMs + o.retry.maxBackoffMs);
  if (o.lock.ttlMs <= longest) {
    ctx.addIssue({ code: 'custom', path: ['lock', 'ttlMs'],
      message: `must be longer than retry.attempts × (requestTimeoutMs + retry.maxBackoffMs) ` +
        `= ${longest} ms, or a refresh could outlive the lock that guards it` });
  }
});

export type TokenRefreshOptions = z.output<typeof options>;

interface Running {
  scheduler: RefreshScheduler;
  infoTimer?: NodeJS.Timeout;
  stopCardListener: () => void;
}
const running = new WeakMap<object, Running>();

export default definePlugin<TokenRefreshOptions>({
  name: 'token-refresh',
  description: 'Keeps user access tokens valid: refresh once across instances, re-ask by card',
  options,
  requires: [UserTokenVault, SecretBox, CardAuthorization],
  provides: [TokenRefresh, ApaasUserTokens],
  start(ctx) {
    const { appId } = ctx;
    const vault = ctx.use(UserTokenVault);
    const cards = ctx.use(CardAuthorization);
    const endpoints = endpointsFor(String(ctx.lark.domain));
    const reauthorization = new Reauthorization(ctx.store, cards, ctx.clock, ctx.logger, {
      feature: ctx.options.feature, notice: ctx.options.notice, markTtlMs: 30 * 24 * 3600_000 });
    const userInfo = new UserInfoSync(endpoints.openApiBaseUrl, ctx.store, ctx.use(SecretBox),
      ctx.clock, ctx.logger);
    const refresher = buildRefresher(ctx, reauthorization,
      new RefreshEndpoint(endpoints, { appId, appSecret: ctx.lark.appSecret },
        ctx.options.requestTimeoutMs),
      ctx.options.userInfo.syncOnRefresh ? userInfo : undefined);
    const scheduler = buildScheduler(ctx, refresher);

    // A user who authorized again no longer needs the "expired" line on later cards.
    const stopCardListener = cards.onAuthorizationEnded((session) => {
      if (session.state !== 'completed') return;
      reauthorization.clear(appId, session.openId).catch(() => undefined);
    });
    ctx.provide(TokenRefresh, new TokenRefreshImpl({ appId, refresher, reauthorization,
      scheduler, userInfo }));
    ctx.provide(ApaasUserTokens, new ApaasTokenSource(appId, refresher, cards, reauthorization));
    if (ctx.options.scheduler.enabled) scheduler.start();
    running.set(ctx, { scheduler, stopCardListener,
      infoTimer: startUserInfoTimer(ctx, userInfo) });
  },
  async stop(ctx) {
    const state = running.get(ctx);
    clearInterval(state?.infoTimer);
    state?.stopCardListener();
    await state?.scheduler.stop();
  },
});

function buildRefresher(ctx: PluginContext<TokenRefreshOptions>,
  reauthorization: Reauthorization, endpoint: RefreshEndpoint, userInfo?: UserInfoSync) {
  const refreshes = ctx.metrics.counter({ name: 'lark_service_token_refreshes_total',
    help: 'User token refreshes by outcome', labelNames: ['outcome'] });
  return new UserTokenRefresher({
    appId: ctx.appId, vault: ctx.use(UserTokenVault), endpoint, reauthorization,
    clock: ctx.clock, logger: ctx.logger, refreshes,
    ...(userInfo && { afterRefresh: async (record) => void (await userInfo.sync(record)) }),
  }, {
    refreshWhenRemaining: ctx.options.refreshWhenRemaining,
    lockTtlMs: ctx.options.lock.ttlMs,
    lockWaitMs: ctx.options.lock.waitMs,
    retry: ctx.options.retry,
  });
}

function buildScheduler(ctx: PluginContext<TokenRefreshOptions>,
  refresher: UserTokenRefresher): RefreshScheduler {
  const { scheduler } = ctx.options;
  return new RefreshScheduler({ appId: ctx.appId, vault: ctx.use(UserTokenVault), refresher,
    clock: ctx.clock, logger: ctx.logger }, {
    intervalMs: scheduler.intervalSeconds * 1000,
    concurrency: scheduler.concurrency,
    maxPerSecond: scheduler.maxPerSecond,
    refreshTokenLeadMs: scheduler.refreshTokenLeadHours * 3600_000,
    refreshWhenRemaining: ctx.options.refreshWhenRemaining,
  });
}

/** The optional periodic profile sync: every stored user whose access token still works. */
function startUserInfoTimer(ctx: PluginContext<TokenRefreshOptions>,
  userInfo: UserInfoSync): NodeJS.Timeout | undefined {
  const minutes = ctx.options.userInfo.intervalMinutes;
  if (minutes <= 0) return undefined;
  const vault = ctx.use(UserTokenVault);
  const timer = setInterval(() => {
    void (async () => {
      for (const openId of await vault.users(ctx.appId)) {
        const record = await vault.get(ctx.appId, openId);
        if (record && record.accessTokenExpiresAt > ctx.clock.now()) await userInfo.sync(record);
      }
    })().catch((err: unknown) => ctx.logger.warn({ err }, 'user info sync failed'));
  }, minutes * 60_000);
  timer.unref();
  return timer;
}
