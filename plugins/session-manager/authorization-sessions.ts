import { randomBytes } from 'node:crypto';

import type { Keyv } from 'keyv';

import type { Clock } from '../../src/kernel/clock.js';
import type { Coordination } from '../../src/kernel/store/coordination.js';
import type {
  AuthorizationSession, AuthorizationSessionService, NewSession, SessionDetails,
  TransitionListener, TransitionResult,
} from './authorization-session.js';
import { SessionIndex } from './session-index.js';
import { canTransition, isOpen, type SessionState } from './session-states.js';
import { withStoreLock } from './store-lock.js';

/** Record writes are serialised per session so a detail update never undoes a transition. */
const RECORD_LOCK = { ttlMs: 5_000, waitMs: 5_000 };

export interface SessionSettings {
  appId: string;
  /** Lifetime of an open session (10 minutes by default). */
  sessionTtlMs: number;
  /** How long an ended session is kept for listing before it is removed. */
  retentionMs: number;
}

/**
 * A new session id: 144 random bits in hex, so it can travel in card values and URLs, and
 * never has the shape of a platform token (`u-…`, `t-…`) that the logger would hide.
 */
export const newSessionId = (): string => randomBytes(18).toString('hex');

/**
 * Authorization sessions in the shared store: a session created on one instance is seen,
 * moved and completed on any other. Transitions are claimed once per (session, state left).
 */
export class StoreAuthorizationSessions implements AuthorizationSessionService {
  private readonly index: SessionIndex;
  private readonly listeners = new Set<TransitionListener>();

  constructor(
    private readonly store: Keyv,
    private readonly coordination: Coordination,
    private readonly clock: Clock,
    private readonly settings: SessionSettings,
    private readonly claimPrefix: string,
  ) {
    this.index = new SessionIndex(coordination, clock, claimPrefix);
  }

  async create(input: NewSession): Promise<AuthorizationSession> {
    const now = this.clock.now();
    const session: AuthorizationSession = {
      id: newSessionId(),
      appId: this.settings.appId,
      openId: input.openId,
      scopes: [...input.scopes],
      reason: input.reason,
      ...(input.notice !== undefined && { notice: input.notice }),
      ...(input.feature !== undefined && { feature: input.feature }),
      ...(input.renewal !== undefined && { renewal: input.renewal }),
      ...(input.card !== undefined && { card: { ...input.card } }),
      ...(input.chatId !== undefined && { chatId: input.chatId }),
      state: 'pending',
      createdAt: now,
      updatedAt: now,
      expiresAt: now + (input.ttlMs ?? this.settings.sessionTtlMs),
    };
    await this.save(session);
    return session;
  }

  async get(id: string): Promise<AuthorizationSession | undefined> {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) return undefined;
    return (await this.store.get(this.key(id))) as AuthorizationSession | undefined;
  }

  update(id: string, details: SessionDetails): Promise<AuthorizationSession | undefined> {
    return this.rewrite(id, (current) => ({ ...current, ...details, updatedAt: this.clock.now() }));
  }

  async transition(id: string, to: SessionState,
    details: SessionDetails = {}): Promise<TransitionResult> {
    const current = await this.get(id);
    if (!current) return { ok: false, reason: 'not_found', session: undefined };
    if (!canTransition(current.state, to)) {
      return { ok: false, reason: 'illegal', session: current };
    }

    const claimed = await this.coordination.claim(
      `${this.claimPrefix}:leave:${id}:${current.state}`, this.claimTtlMs(current), to);
    if (!claimed) return { ok: false, reason: 'lost_race', session: await this.get(id) };

    const next = await this.rewrite(id, (latest) => {
      const now = this.clock.now();
      // endedAt is when the session left the open states; superseding keeps it.
      return { ...latest, ...details, state: to, updatedAt: now,
        ...(!isOpen(to) && latest.endedAt === undefined && { endedAt: now }) };
    });
    if (!next) return { ok: false, reason: 'not_found', session: undefined };
    for (const listener of this.listeners) listener(next, current.state);
    return { ok: true, session: next };
  }

  async listByUser(openId: string,
    states?: readonly SessionState[]): Promise<AuthorizationSession[]> {
    const entries = (await this.index.ofUser(openId))
      .filter((entry) => states === undefined || states.includes(entry.state));
    return this.load(entries.map((entry) => entry.id));
  }

  async listByState(state: SessionState): Promise<AuthorizationSession[]> {
    return this.load(await this.idsByState(state));
  }

  async idsByState(state: SessionState): Promise<string[]> {
    return (await this.index.entries()).filter((entry) => entry.state === state)
      .map((entry) => entry.id);
  }

  async expireDue(): Promise<AuthorizationSession[]> {
    const now = this.clock.now();
    const due = (await this.index.entries())
      .filter((entry) => isOpen(entry.state) && entry.expiresAt <= now);
    const moved: AuthorizationSession[] = [];
    for (const entry of due) {
      const result = await this.transition(entry.id, 'expired',
        { failureReason: 'the session deadline passed' });
      if (result.ok) moved.push(result.session);
    }
    return moved;
  }

  onTransition(listener: TransitionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private rewrite(id: string, change: (current: AuthorizationSession) => AuthorizationSession) {
    return withStoreLock(this.coordination, `${this.claimPrefix}:record:${id}`, RECORD_LOCK,
      async () => {
        const current = await this.get(id);
        if (!current) return undefined;
        const next = change(current);
        await this.save(next);
        return next;
      });
  }

  private async save(session: AuthorizationSession): Promise<void> {
    const endsAt = isOpen(session.state) ? session.expiresAt
      : session.endedAt ?? this.clock.now();
    const removeAt = endsAt + this.settings.retentionMs;
    const ttl = Math.max(1, removeAt - this.clock.now());
    await this.store.set(this.key(session.id), session, ttl);
    await this.index.upsert({ id: session.id, openId: session.openId, state: session.state,
      expiresAt: session.expiresAt, removeAt });
  }

  private async load(ids: string[]): Promise<AuthorizationSession[]> {
    const sessions = await Promise.all(ids.map((id) => this.get(id)));
    return sessions.filter((session): session is AuthorizationSession => session !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  private claimTtlMs(session: AuthorizationSession): number {
    return Math.max(session.expiresAt - this.clock.now(), 0) + this.settings.retentionMs;
  }

  private key(id: string): string {
    return `session:${id}`;
  }
}
