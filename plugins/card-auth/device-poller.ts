import { isLarkServiceError } from '../../src/kernel/errors.js';
import type { Lock } from '../../src/kernel/store/coordination.js';
import type { AuthParts } from './auth-parts.js';
import { endSession, showEndedCard } from './card-messages.js';
import { completeWithTokens } from './completion.js';
import { Pacer } from './pacer.js';
import type { DevicePollState } from './flow-store.js';

export interface PollerSettings {
  /** A poller holds a session's lease this long past its last poll; then others take over. */
  leaseMs: number;
  /** How often each instance looks for sessions nobody polls and for expired sessions. */
  scanMs: number;
  /** RFC 8628: on slow_down, poll this much less often from then on. */
  slowDownStepMs: number;
  /**
   * Polls this instance sends a second at most, however many sessions await consent: more
   * sessions stretch each one's interval (RFC 8628 forbids polling faster, not slower).
   */
  maxPerSecond: number;
}

interface Held {
  lock: Lock;
  timer?: NodeJS.Timeout;
}

/**
 * Polls the token endpoint for device flows (reference §4.7). The poll state lives in the
 * shared store and one instance at a time holds a session's lease; when that instance dies,
 * its lease runs out and the next scan of another instance picks the session up.
 */
export class DevicePoller {
  private readonly held = new Map<string, Held>();
  private readonly inFlight = new Set<Promise<void>>();
  private scanTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly pacer: Pacer;

  constructor(
    private readonly parts: AuthParts,
    private readonly settings: PollerSettings,
  ) {
    this.pacer = new Pacer(settings.maxPerSecond);
  }

  start(): void {
    this.scanTimer = setInterval(() => {
      this.scan().catch((err: unknown) => this.parts.logger.warn({ err }, 'poll scan failed'));
    }, this.settings.scanMs);
    this.scanTimer.unref();
  }

  /** Takes over polling of a session whose device flow this instance just started. */
  async begin(state: DevicePollState): Promise<void> {
    await this.adopt(state.sessionId, state.nextPollAt);
  }

  /** Expires overdue sessions, and adopts device flows whose poller is gone. */
  async scan(): Promise<void> {
    for (const session of await this.parts.sessions.expireDue()) {
      await showEndedCard(this.parts, session);
    }
    // Only the poll state is read: a redirect-flow session has none, and held ones are skipped.
    for (const id of await this.parts.sessions.idsByState('awaiting_consent')) {
      if (this.held.has(id) || this.stopped) continue;
      const state = await this.parts.flows.poll(id);
      if (state) await this.adopt(id, state.nextPollAt);
    }
  }

  /** Lets a poll in flight finish, then gives every lease back for another instance. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.scanTimer);
    this.pacer.stop();
    await Promise.allSettled([...this.inFlight]);
    const held = [...this.held.values()];
    this.held.clear();
    for (const { lock, timer } of held) {
      clearTimeout(timer);
      await lock.release().catch(() => false);
    }
  }

  private async adopt(sessionId: string, at: number): Promise<void> {
    const lock = await this.parts.coordination.tryLock(this.leaseKey(sessionId),
      this.settings.leaseMs);
    if (!lock) return;
    if (this.stopped) {
      await lock.release();
      return;
    }
    this.held.set(sessionId, { lock });
    this.parts.logger.debug({ sessionId }, 'polling for the user token');
    this.schedule(sessionId, at);
  }

  private schedule(sessionId: string, at: number): void {
    const held = this.held.get(sessionId);
    if (!held || this.stopped) return;
    const delay = Math.max(0, at - this.parts.clock.now());
    held.timer = setTimeout(() => {
      const running = this.step(sessionId).catch(async (err: unknown) => {
        this.parts.logger.warn({ err, sessionId }, 'token poll failed');
        if (!isLarkServiceError(err) || err.code !== 'LARK_E_VAULT_UNREADABLE') {
          this.schedule(sessionId, this.parts.clock.now() + this.settings.slowDownStepMs);
          return;
        }
        // The device code was sealed under another key: no later poll can succeed.
        await this.finish(sessionId);
        await endSession(this.parts, sessionId, 'failed',
          'the stored device code cannot be read with the current encryption key');
      }).catch((err: unknown) => {
        this.parts.logger.warn({ err, sessionId }, 'token poll failure could not be recorded');
      });
      this.inFlight.add(running);
      void running.finally(() => this.inFlight.delete(running));
    }, delay);
  }

  private async release(sessionId: string): Promise<void> {
    const held = this.held.get(sessionId);
    this.held.delete(sessionId);
    clearTimeout(held?.timer);
    await held?.lock.release().catch(() => false);
  }

  /** One poll: the RFC 8628 answer decides whether to continue, finish or end the session. */
  private async step(sessionId: string): Promise<void> {
    const held = this.held.get(sessionId);
    if (!held || !(await held.lock.extend(this.settings.leaseMs))) {
      this.held.delete(sessionId);
      return;
    }
    const session = await this.parts.sessions.get(sessionId);
    const state = await this.parts.flows.poll(sessionId);
    if (!session || session.state !== 'awaiting_consent' || !state) {
      await this.finish(sessionId);
      return;
    }
    if (this.parts.clock.now() >= session.expiresAt) {
      await endSession(this.parts, sessionId, 'expired', 'the session deadline passed');
      await this.finish(sessionId);
      return;
    }
    if (this.stopped) return;
    // The turn is taken before the lease is extended over the wait for it, so no other
    // instance adopts the session meanwhile, however many polls queue ahead of it.
    const turn = this.pacer.turn();
    if (!(await held.lock.extend(this.settings.leaseMs + this.pacer.backlogMs()))) {
      this.held.delete(sessionId);
      return;
    }
    if (!(await turn)) return;
    const answer = await this.parts.oauth.pollDeviceToken(this.parts.flows.openDeviceCode(state));
    if (answer.kind === 'issued') {
      // The device code is spent: whatever happens next, this session is polled no more.
      await this.finish(sessionId);
      try {
        await completeWithTokens(this.parts, session, answer.tokens);
      } catch (err) {
        // Left open, the session would sit waiting for a consent already given until it
        // expired; it fails now, and its card says so.
        this.parts.logger.warn({ err, sessionId }, 'the granted tokens could not be stored');
        await endSession(this.parts, sessionId, 'failed', 'the granted tokens could not be stored');
      }
      return;
    }
    await this.onError(state, answer.error, isPassingFailure(answer));
  }

  private async onError(state: DevicePollState, error: string, passing: boolean): Promise<void> {
    const { sessionId } = state;
    if (error === 'authorization_pending' || error === 'slow_down' || passing) {
      const step = error === 'authorization_pending' ? 0 : this.settings.slowDownStepMs;
      const intervalMs = state.intervalMs + step;
      const next = { ...state, intervalMs, nextPollAt: this.parts.clock.now() + intervalMs };
      await this.parts.flows.savePoll(next, state.deviceExpiresAt - this.parts.clock.now());
      this.schedule(sessionId, next.nextPollAt);
      return;
    }
    await this.finish(sessionId);
    if (error === 'access_denied') await endSession(this.parts, sessionId, 'declined');
    else if (error === 'expired_token') {
      await endSession(this.parts, sessionId, 'expired', 'the consent page expired');
    } else await endSession(this.parts, sessionId, 'failed', `the platform answered ${error}`);
  }

  private async finish(sessionId: string): Promise<void> {
    await this.parts.flows.dropPoll(sessionId);
    await this.release(sessionId);
  }

  private leaseKey(sessionId: string): string {
    return `${this.parts.pluginId}:poll-lease:${sessionId}`;
  }
}

/** 20050 and 20072 (reference §4.9) and 5xx answers are the platform's passing trouble. */
const PASSING_CODES = new Set([20050, 20072]);

function isPassingFailure(answer: { code?: number; status?: number }): boolean {
  return (answer.status ?? 0) >= 500
    || (answer.code !== undefined && PASSING_CODES.has(answer.code));
}
