import type { Counter } from 'prom-client';

import type { Clock } from '../../src/kernel/clock.js';
import { isLarkServiceError } from '../../src/kernel/errors.js';
import type { Logger } from '../../src/kernel/logger.js';
import { tokenFields } from '../card-auth/platform-oauth.js';
import type { UserTokenRecord, UserTokenVaultService } from '../session-manager/index.js';
import type { Reauthorization } from './reauthorization.js';
import type { RefreshAttempt, RefreshEndpoint, RefreshedTokens } from './refresh-endpoint.js';
import { describeAttempt, meaningOf, type FailureMeaning } from './refresh-failures.js';
import { accessTokenDue, refreshTokenDead } from './refresh-timing.js';
import {
  refreshRefused, refreshUnavailable, UserAuthorizationRequired, type ReauthorizationReason,
} from './token-errors.js';

export interface RefreshSettings {
  /** Refresh once less than this share of the access token's lifetime is left. */
  refreshWhenRemaining: number;
  lockTtlMs: number;
  lockWaitMs: number;
  retry: { attempts: number; backoffMs: number; maxBackoffMs: number };
}

export interface RefresherDeps {
  appId: string;
  vault: UserTokenVaultService;
  endpoint: RefreshEndpoint;
  reauthorization: Reauthorization;
  clock: Clock;
  logger: Logger;
  refreshes: Counter<'outcome'>;
  /** Called after each successful refresh with the new record (user-info sync). */
  afterRefresh?: (record: UserTokenRecord) => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
}

export interface TokenRequestOptions {
  /** Named on the card when the user must authorize again. */
  feature?: string;
  /** Send that card (default true); callers that send their own pass false. */
  sendCard?: boolean;
}

/** Decides, under the user's lock, whether the stored record is refreshed now. */
export type DuePredicate = (record: UserTokenRecord, now: number) => boolean;

type Outcome =
  | { kind: 'current'; record: UserTokenRecord }
  | { kind: 'missing' }
  | { kind: 'refreshed'; record: UserTokenRecord }
  | { kind: 'reauthorize'; reason: ReauthorizationReason; scopes: string[] }
  | { kind: 'failed'; meaning: FailureMeaning; last: string; attempts: number;
      record: UserTokenRecord };

/** What a scheduled refresh did, for the scheduler's tally. */
export type ScheduledOutcome = 'refreshed' | 'fine' | 'skipped' | 'gone' | 'reauthorize'
  | 'failed';

/**
 * Keeps users' access tokens valid. The refresh token is single-use and rotates (reference
 * §4.4), so a refresh happens once per user across every instance: inside the vault's locked
 * update, which re-reads the record after taking the lock (another instance may have just
 * refreshed it) and stores the rotated tokens before the lock is released. Callers in this
 * process asking for the same user share one in-flight refresh.
 */
export class UserTokenRefresher {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly deps: RefresherDeps,
    private readonly settings: RefreshSettings,
  ) {}

  /** A valid access token for the user, refreshed first if it is close to expiry. */
  async accessToken(openId: string, options: TokenRequestOptions = {}): Promise<string> {
    const record = await this.deps.vault.get(this.deps.appId, openId);
    if (record && !this.dueForUse(record, this.deps.clock.now())) return record.accessToken;
    return this.shared(openId, (current, now) => this.dueForUse(current, now), options);
  }

  /**
   * Refreshes because the platform rejected `rejectedToken`; when the stored token is
   * already another one (someone refreshed meanwhile), that one is returned.
   */
  async refreshRejected(openId: string, rejectedToken: string | undefined,
    options: TokenRequestOptions = {}): Promise<string> {
    return this.shared(openId, (current, now) =>
      rejectedToken === undefined || current.accessToken === rejectedToken
        || this.dueForUse(current, now), options);
  }

  /**
   * Drops the user's tokens because the platform refused even a fresh one; the user is
   * marked as needing authorization, for the scopes they had.
   */
  async forget(openId: string): Promise<void> {
    const { appId, vault, reauthorization } = this.deps;
    await vault.update(appId, openId, async (current) => {
      if (!current) return 'keep';
      await reauthorization.mark(appId, openId,
        { reason: 'refresh-refused', scopes: current.scopes });
      return undefined;
    }, { lockTtlMs: this.settings.lockTtlMs, waitMs: this.settings.lockWaitMs });
  }

  /** The scheduler's refresh: only if `due`, and never waiting for another instance's lock. */
  async refreshIfDue(openId: string, due: DuePredicate,
    options: TokenRequestOptions = {}): Promise<ScheduledOutcome> {
    let outcome: Outcome;
    try {
      outcome = await this.locked(openId, due, 0);
    } catch (err) {
      if (isLarkServiceError(err, 'LARK_E_STORE_LOCK_TIMEOUT')) return 'skipped';
      throw err;
    }
    if (outcome.kind === 'current') return 'fine';
    if (outcome.kind === 'missing') return 'gone';
    try {
      await this.settle(openId, outcome, options);
    } catch {
      return outcome.kind === 'reauthorize' ? 'reauthorize' : 'failed';
    }
    return outcome.kind === 'refreshed' ? 'refreshed' : 'failed';
  }

  private dueForUse(record: UserTokenRecord, now: number): boolean {
    return accessTokenDue(record, now, this.settings.refreshWhenRemaining);
  }

  /**
   * One refresh per user in this process: later callers await the first caller's result
   * (the same token, or the same error and a single card).
   */
  private shared(openId: string, due: DuePredicate, options: TokenRequestOptions):
    Promise<string> {
    const running = this.inFlight.get(openId);
    if (running) return running;
    const started = this.locked(openId, due, this.settings.lockWaitMs)
      .then((outcome) => this.settle(openId, outcome, options))
      .finally(() => this.inFlight.delete(openId));
    this.inFlight.set(openId, started);
    return started;
  }

  private async locked(openId: string, due: DuePredicate, waitMs: number): Promise<Outcome> {
    let outcome: Outcome = { kind: 'missing' };
    await this.deps.vault.update(this.deps.appId, openId, async (current) => {
      outcome = await this.decide(current, due);
      if (outcome.kind === 'refreshed') return outcome.record;
      if (outcome.kind !== 'reauthorize') return 'keep';
      // Marked before the lock is released, so a waiting instance reads why the tokens went.
      await this.deps.reauthorization.mark(this.deps.appId, openId,
        { reason: outcome.reason, scopes: outcome.scopes });
      // A refused or expired refresh token is unusable: keep nothing of it.
      return undefined;
    }, { lockTtlMs: this.settings.lockTtlMs, waitMs });
    return outcome;
  }

  /** Runs under the user's lock, on the record as it is now. */
  private async decide(current: UserTokenRecord | undefined, due: DuePredicate):
    Promise<Outcome> {
    const now = this.deps.clock.now();
    if (!current) return { kind: 'missing' };
    if (!due(current, now)) return { kind: 'current', record: current };
    if (refreshTokenDead(current, now)) {
      // Nothing can renew it, but a token with time left is still the user's to use.
      if (current.accessTokenExpiresAt > now) return { kind: 'current', record: current };
      return { kind: 'reauthorize', reason: 'refresh-expired', scopes: current.scopes };
    }
    const { attempt, attempts } = await this.attemptWithRetries(current.refreshToken!);
    if (attempt.kind === 'issued') {
      return { kind: 'refreshed', record: this.rotated(current, attempt.tokens) };
    }
    const meaning = meaningOf(attempt);
    if (meaning === 'reauthorize') {
      return { kind: 'reauthorize', reason: 'refresh-refused', scopes: current.scopes };
    }
    return { kind: 'failed', meaning, last: describeAttempt(attempt), attempts, record: current };
  }

  /** Transient failures are retried with exponential backoff; anything else ends it. */
  private async attemptWithRetries(refreshToken: string):
    Promise<{ attempt: RefreshAttempt; attempts: number }> {
    const { attempts, backoffMs, maxBackoffMs } = this.settings.retry;
    for (let made = 1; ; made += 1) {
      const attempt = await this.deps.endpoint.refresh(refreshToken);
      if (attempt.kind === 'issued' || meaningOf(attempt) !== 'transient' || made >= attempts) {
        return { attempt, attempts: made };
      }
      this.deps.logger.warn({ attempt: made, failure: describeAttempt(attempt) },
        'token refresh failed; retrying');
      await this.sleep(Math.min(backoffMs * 2 ** (made - 1), maxBackoffMs));
    }
  }

  private rotated(current: UserTokenRecord, tokens: RefreshedTokens): UserTokenRecord {
    const now = this.deps.clock.now();
    const { refreshToken: _spent, refreshTokenExpiresAt: _gone, ...kept } = current;
    return {
      ...kept,
      ...tokenFields(tokens, now),
      scopes: tokens.scopes.length > 0 ? tokens.scopes : current.scopes,
      updatedAt: now,
    };
  }

  /** Turns an outcome into the caller's token or error; cards and marks happen here. */
  private async settle(openId: string, outcome: Outcome,
    options: TokenRequestOptions): Promise<string> {
    const { appId, logger, refreshes } = this.deps;
    switch (outcome.kind) {
      case 'current':
        return outcome.record.accessToken;
      case 'refreshed':
        refreshes.inc({ outcome: 'refreshed' });
        logger.info({ openId }, 'user token refreshed');
        await this.deps.afterRefresh?.(outcome.record).catch((err: unknown) =>
          logger.warn({ err, openId }, 'after-refresh step failed'));
        return outcome.record.accessToken;
      case 'missing':
        throw await this.notAuthorized(openId, options);
      case 'reauthorize':
        throw await this.reauthorize(openId, outcome, options);
      case 'failed':
        return this.failed(openId, outcome);
    }
  }

  /**
   * No tokens. A user whose tokens were dropped without a card (by the scheduler, or for a
   * caller that sends its own) gets the card now, when they are using the app.
   */
  private async notAuthorized(openId: string, options: TokenRequestOptions):
    Promise<UserAuthorizationRequired> {
    const { appId, reauthorization } = this.deps;
    const mark = await reauthorization.markOf(appId, openId);
    if (!mark) return new UserAuthorizationRequired(appId, openId, 'not-authorized');
    let { sessionId } = mark;
    if (!sessionId && options.sendCard !== false) {
      sessionId = await reauthorization.sendCard(openId, mark.scopes, options.feature);
      if (sessionId) await reauthorization.mark(appId, openId, { ...mark, sessionId });
    }
    return new UserAuthorizationRequired(appId, openId, mark.reason, sessionId);
  }

  private async reauthorize(openId: string,
    outcome: Extract<Outcome, { kind: 'reauthorize' }>, options: TokenRequestOptions) {
    const { appId, logger, refreshes, reauthorization } = this.deps;
    refreshes.inc({ outcome: 'reauthorize' });
    logger.warn({ openId, reason: outcome.reason }, 'user must authorize again; tokens dropped');
    const sessionId = options.sendCard === false ? undefined
      : await reauthorization.sendCard(openId, outcome.scopes, options.feature);
    if (sessionId) {
      await reauthorization.mark(appId, openId,
        { reason: outcome.reason, scopes: outcome.scopes, sessionId });
    }
    return new UserAuthorizationRequired(appId, openId, outcome.reason, sessionId);
  }

  /** The stored tokens were kept; a token with time left is still good to use. */
  private failed(openId: string, outcome: Extract<Outcome, { kind: 'failed' }>): string {
    const { appId, logger, refreshes, clock } = this.deps;
    refreshes.inc({ outcome: 'failed' });
    logger.warn({ openId, failure: outcome.last, attempts: outcome.attempts },
      'token refresh failed; stored tokens kept');
    if (outcome.record.accessTokenExpiresAt > clock.now()) return outcome.record.accessToken;
    if (outcome.meaning === 'refused') throw refreshRefused(appId, openId, outcome.last);
    throw refreshUnavailable(appId, openId, outcome.attempts, outcome.last);
  }

  private sleep(ms: number): Promise<void> {
    if (this.deps.sleep) return this.deps.sleep(ms);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
