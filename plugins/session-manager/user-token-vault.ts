import type { Keyv } from 'keyv';

import type { Clock } from '../../src/kernel/clock.js';
import { isLarkServiceError, LarkServiceError } from '../../src/kernel/errors.js';
import type { Coordination } from '../../src/kernel/store/coordination.js';
import { withStoreLock } from './store-lock.js';
import { VaultUserIndex } from './user-index.js';
import type { SealedValue, VaultCipher } from './vault-cipher.js';

/** One user's tokens for one app, as the platform issued them (reference §4.4). */
export interface UserTokenRecord {
  appId: string;
  openId: string;
  accessToken: string;
  /** Epoch ms. */
  accessTokenExpiresAt: number;
  /** Absent when `offline_access` was not granted. */
  refreshToken?: string;
  refreshTokenExpiresAt?: number;
  /** As granted (the platform's `scope`, split on spaces). */
  scopes: string[];
  /** When the user consented: refreshing stops 365 days after it (reference §4.4). */
  grantedAt: number;
  updatedAt: number;
}

export interface VaultUpdateOptions {
  /** The lock frees itself after this long if its holder dies (default 30 s). */
  lockTtlMs?: number;
  /** How long to wait for another instance's update of the same user (default 15 s). */
  waitMs?: number;
}

/** What an update decides: the next record, `undefined` to delete, or `keep` to leave it. */
export type VaultChange = UserTokenRecord | undefined | 'keep';

/** The encrypted user-token vault (token `UserTokenVault`), keyed by (appId, openId). */
export interface UserTokenVaultService {
  get(appId: string, openId: string): Promise<UserTokenRecord | undefined>;
  put(record: UserTokenRecord): Promise<void>;
  delete(appId: string, openId: string): Promise<boolean>;
  /**
   * Read-modify-write under a lock on (appId, openId) held across every instance: `change`
   * sees the current record (after any other instance's update finished) and its result is
   * stored before the lock is released. This is what a refresh with a single-use refresh
   * token needs: one refresh per user at a time, the rotated token stored first.
   */
  update(appId: string, openId: string,
    change: (current: UserTokenRecord | undefined) => Promise<VaultChange>,
    options?: VaultUpdateOptions): Promise<UserTokenRecord | undefined>;
  /**
   * The open ids with a stored record for the app (a scheduler walks them). A record that
   * expired by itself may still be listed until it is deleted.
   */
  users(appId: string): Promise<string[]>;
  /** Drops the user from `users()` when no record is stored any more; true if dropped. */
  pruneUser(appId: string, openId: string): Promise<boolean>;
}

const DEFAULT_LOCK_TTL_MS = 30_000;
const DEFAULT_WAIT_MS = 15_000;

/** Records are sealed whole; only the store key (app and user ids) is in the clear. */
export class StoreUserTokenVault implements UserTokenVaultService {
  private readonly index: VaultUserIndex;

  constructor(
    private readonly store: Keyv,
    private readonly coordination: Coordination,
    private readonly cipher: VaultCipher,
    private readonly clock: Clock,
    private readonly lockPrefix: string,
    /**
     * With a key that lives for one process only (the embedded emulator default), a record
     * sealed by an earlier run can never be opened again: it is dropped as if absent, so the
     * user is simply asked to authorize again. With a configured key it stays an error.
     */
    private readonly discardUnreadable = false,
  ) {
    this.index = new VaultUserIndex(coordination, lockPrefix, store);
  }

  async get(appId: string, openId: string): Promise<UserTokenRecord | undefined> {
    const key = this.key(appId, openId);
    const sealed = (await this.store.get(key)) as SealedValue | undefined;
    if (!sealed) return undefined;
    try {
      return JSON.parse(this.cipher.open(sealed, key)) as UserTokenRecord;
    } catch (err) {
      if (!this.discardUnreadable || !isLarkServiceError(err)) throw err;
      await this.store.delete(key);
      return undefined;
    }
  }

  async put(record: UserTokenRecord): Promise<void> {
    const key = this.key(record.appId, record.openId);
    const stored = { ...record, updatedAt: this.clock.now() };
    await this.store.set(key, this.cipher.seal(JSON.stringify(stored), key), this.ttlOf(record));
    await this.index.add(record.appId, record.openId);
  }

  async delete(appId: string, openId: string): Promise<boolean> {
    const deleted = await this.store.delete(this.key(appId, openId));
    await this.index.remove(appId, openId);
    return deleted;
  }

  users(appId: string): Promise<string[]> {
    return this.index.list(appId);
  }

  pruneUser(appId: string, openId: string): Promise<boolean> {
    return this.index.removeIf(appId, openId,
      async () => !(await this.store.has(this.key(appId, openId))));
  }

  update(appId: string, openId: string,
    change: (current: UserTokenRecord | undefined) => Promise<VaultChange>,
    options: VaultUpdateOptions = {}): Promise<UserTokenRecord | undefined> {
    const ttlMs = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
    const lockOptions = { ttlMs, waitMs: options.waitMs ?? DEFAULT_WAIT_MS };
    const lockKey = `${this.lockPrefix}:token:${appId}:${openId}`;
    return withStoreLock(this.coordination, lockKey, lockOptions, async (lock) => {
      const current = await this.get(appId, openId);
      const next = await change(current);
      if (next === 'keep') return current;
      // A change that outlived the lock may race another holder: store nothing then.
      if (!(await lock.extend(ttlMs))) throw lockLost(appId, openId, ttlMs);
      if (next === undefined) {
        await this.delete(appId, openId);
        return undefined;
      }
      await this.put(next);
      return next;
    });
  }

  /** Kept while any token in it can still be used; nothing outlives the refresh token. */
  private ttlOf(record: UserTokenRecord): number | undefined {
    const until = Math.max(record.accessTokenExpiresAt, record.refreshTokenExpiresAt ?? 0);
    const ttl = until - this.clock.now();
    return ttl > 0 ? ttl : 1;
  }

  private key(appId: string, openId: string): string {
    return `token:${appId}:${openId}`;
  }
}

function lockLost(appId: string, openId: string, ttlMs: number): LarkServiceError {
  return new LarkServiceError('LARK_E_VAULT_LOCK_LOST',
    `the token update for user ${openId} of app ${appId} took longer than its ${ttlMs} ms ` +
    'lock; nothing was stored. Raise lockTtlMs or find what made the update slow',
    { details: { appId, openId } });
}
