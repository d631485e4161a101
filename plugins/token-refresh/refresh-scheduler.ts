import type { Clock } from '../../src/kernel/clock.js';
import type { Logger } from '../../src/kernel/logger.js';
import type { UserTokenVaultService } from '../session-manager/index.js';
import { accessTokenDue, refreshTokenDue } from './refresh-timing.js';
import type { ScheduledOutcome, UserTokenRefresher } from './user-token-refresher.js';

export interface SchedulerSettings {
  intervalMs: number;
  /** Users refreshed at the same time. */
  concurrency: number;
  /** Refreshes started per second at most (the token endpoint allows 50/s per app). */
  maxPerSecond: number;
  /** Refresh the refresh token when it has less than this left. */
  refreshTokenLeadMs: number;
  /** Same share of lifetime as on-demand refreshes. */
  refreshWhenRemaining: number;
}

export interface SchedulerDeps {
  appId: string;
  vault: UserTokenVaultService;
  refresher: UserTokenRefresher;
  clock: Clock;
  logger: Logger;
}

export type SchedulerRun = Record<ScheduledOutcome, number>;

/**
 * Walks the vault's users every interval and refreshes those whose access token nears its
 * end (a tenth of its life, or one interval, ahead: it never lapses between runs) or whose
 * refresh token does.
 * Safe beside other instances: each user is refreshed under the vault's lock, re-read after
 * taking it, and a user whose lock another instance holds is skipped this run. A stop lets
 * refreshes in flight store their tokens first; a run cut short resumes at the next start.
 */
export class RefreshScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SchedulerRun> | undefined;
  private stopping = false;
  private nextStartAt = 0;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly settings: SchedulerSettings,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      void this.runOnce().catch((err: unknown) =>
        this.deps.logger.warn({ err }, 'token refresh run failed'));
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  /** One pass over every stored user; a pass already running is joined, not doubled. */
  runOnce(): Promise<SchedulerRun> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<SchedulerRun> {
    const started = Date.now();
    const tally: SchedulerRun = { refreshed: 0, fine: 0, skipped: 0, gone: 0, reauthorize: 0,
      failed: 0 };
    const queue = await this.deps.vault.users(this.deps.appId);
    const worker = async () => {
      for (let openId = queue.shift(); openId !== undefined && !this.stopping;
        openId = queue.shift()) {
        tally[await this.visit(openId)] += 1;
      }
    };
    await Promise.all(Array.from({ length: this.settings.concurrency }, worker));
    const durationMs = Date.now() - started;
    const quiet = tally.refreshed + tally.reauthorize + tally.failed === 0;
    this.deps.logger[quiet ? 'debug' : 'info']({ ...tally, durationMs }, 'token refresh run');
    return tally;
  }

  private async visit(openId: string): Promise<ScheduledOutcome> {
    const { appId, refresher, vault, logger } = this.deps;
    try {
      // A cheap look first: users who are fine take no lock and no share of the rate.
      const record = await vault.get(appId, openId);
      if (record && !this.due(record, this.deps.clock.now())) {
        logger.debug({ openId }, 'token refresh not needed');
        return 'fine';
      }
      await this.pace();
      // No card from here: the user is not using the app now; they get it when they do.
      const outcome = await refresher.refreshIfDue(openId, (record, now) => this.due(record, now),
        { sendCard: false });
      if (outcome === 'gone') await vault.pruneUser(appId, openId);
      if (outcome === 'fine' || outcome === 'skipped') {
        logger.debug({ openId, outcome }, 'token refresh not needed');
      }
      return outcome;
    } catch (err) {
      logger.warn({ err, openId }, 'scheduled token refresh failed');
      return 'failed';
    }
  }

  private due(record: Parameters<typeof accessTokenDue>[0], now: number): boolean {
    const { intervalMs, refreshWhenRemaining, refreshTokenLeadMs } = this.settings;
    // One interval ahead: a token not due now still has time left at the next run.
    return accessTokenDue(record, now, refreshWhenRemaining, intervalMs)
      || refreshTokenDue(record, now, refreshTokenLeadMs);
  }

  /** Spaces refresh starts to at most `maxPerSecond`, over every worker of this instance. */
  private async pace(): Promise<void> {
    const now = Date.now();
    const startAt = Math.max(now, this.nextStartAt);
    this.nextStartAt = startAt + 1000 / this.settings.maxPerSecond;
    if (startAt > now) await new Promise((resolve) => setTimeout(resolve, startAt - now));
  }
}
