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
 * taking it, and a user whose lock another instance holds is skipped this run.
 * Shared with other instances: each pass walks the users in an order of its own (shuffled),
 * and a worker waits for its rate slot before it picks the next due user, not after, so
 * between picking a user and refreshing it there is no wait in which another instance could
 * pick it too. Instances passing at the same time thus mostly meet users that are either
 * untouched or already refreshed (cheap to see), and N of them refresh at about N times one's
 * rate, each within its own `maxPerSecond`.
 * A stop lets refreshes in flight store their tokens first and starts no new one; a run cut
 * short resumes at the next start, on any instance.
 */
export class RefreshScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SchedulerRun> | undefined;
  private stopping = false;
  private nextStartAt = 0;
  /**
   * Workers waiting for a slot, to let them go once there is nothing left for them to start;
   * `holding` ones have a user in hand, and go early only when stopping.
   */
  private readonly waiting = new Map<() => void, { holding: boolean }>();

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
    this.release(true);
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<SchedulerRun> {
    const started = Date.now();
    const tally: SchedulerRun = { refreshed: 0, fine: 0, skipped: 0, gone: 0, reauthorize: 0,
      failed: 0 };
    const queue = shuffled(await this.deps.vault.users(this.deps.appId));
    const worker = async () => {
      while (queue.length > 0 && !this.stopping) {
        const slot = await this.pace();
        const openId = await this.nextDue(queue, tally);
        if (openId === undefined) return;
        // Looking took longer than the slot lasts: take a new one, so that starts never
        // bunch up above `maxPerSecond`.
        if (Date.now() > slot + this.spacingMs()) await this.pace(true);
        if (this.stopping) return;
        tally[await this.refresh(openId)] += 1;
      }
    };
    await Promise.all(Array.from({ length: this.settings.concurrency }, worker));
    const durationMs = Date.now() - started;
    const quiet = tally.refreshed + tally.reauthorize + tally.failed === 0;
    this.deps.logger[quiet ? 'debug' : 'info']({ ...tally, durationMs }, 'token refresh run');
    return tally;
  }

  /**
   * Takes users off the queue until one needs a refresh (or has no record left to refresh).
   * A cheap look: users who are fine take no lock and no share of the rate.
   */
  private async nextDue(queue: string[], tally: SchedulerRun): Promise<string | undefined> {
    const { appId, vault, logger, clock } = this.deps;
    for (let openId = queue.shift(); openId !== undefined && !this.stopping;
      openId = queue.shift()) {
      // The last user is taken: workers waiting for a slot have nothing left to start.
      if (queue.length === 0) this.release(false);
      try {
        const record = await vault.get(appId, openId);
        if (!record || this.due(record, clock.now())) return openId;
        logger.debug({ openId }, 'token refresh not needed');
        tally.fine += 1;
      } catch (err) {
        logger.warn({ err, openId }, 'scheduled token refresh failed');
        tally.failed += 1;
      }
    }
    return undefined;
  }

  private async refresh(openId: string): Promise<ScheduledOutcome> {
    const { appId, refresher, vault, logger } = this.deps;
    try {
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

  /**
   * Spaces refresh starts to at most `maxPerSecond`, over every worker of this instance;
   * resolves at the slot's time, which it returns, or earlier once the pass has nothing
   * left to start (`release`): a worker `holding` a user only when stopping.
   */
  private async pace(holding = false): Promise<number> {
    const now = Date.now();
    const startAt = Math.max(now, this.nextStartAt);
    this.nextStartAt = startAt + this.spacingMs();
    if (startAt > now) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, startAt - now);
        this.waiting.set(done, { holding });
      });
    }
    return startAt;
  }

  /** Lets workers waiting for a slot go now (they find nothing to start and end). */
  private release(stopping: boolean): void {
    for (const [done, { holding }] of [...this.waiting]) {
      if (stopping || !holding) done();
    }
  }

  private spacingMs(): number {
    return 1000 / this.settings.maxPerSecond;
  }
}

/** A copy of `items` in random order (Fisher-Yates), so instances walk them differently. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
