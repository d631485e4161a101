import type { Keyv } from 'keyv';

import type { Coordination } from '../../src/kernel/store/coordination.js';
import { withStoreLock } from './store-lock.js';

const LOCK = { ttlMs: 5_000, waitMs: 5_000 };

/**
 * The open ids that have a record in the vault, per app, so a scheduler can walk them. keyv
 * has no scan on every backend, so it is one list per app changed under a store lock; a put
 * for a user already listed (every refresh) costs one read and no write.
 */
export class VaultUserIndex {
  constructor(
    private readonly store: Keyv,
    private readonly coordination: Coordination,
    private readonly lockPrefix: string,
  ) {}

  async list(appId: string): Promise<string[]> {
    return ((await this.store.get(this.key(appId))) as string[] | undefined) ?? [];
  }

  async add(appId: string, openId: string): Promise<void> {
    if ((await this.list(appId)).includes(openId)) return;
    await this.change(appId, (users) => (users.includes(openId) ? users : [...users, openId]));
  }

  async remove(appId: string, openId: string): Promise<void> {
    if (!(await this.list(appId)).includes(openId)) return;
    await this.change(appId, (users) => users.filter((user) => user !== openId));
  }

  /**
   * Removes the user only if `gone()` still holds under the index lock. A put stores its
   * record before it checks the index, so a record stored meanwhile is seen and kept.
   */
  async removeIf(appId: string, openId: string, gone: () => Promise<boolean>): Promise<boolean> {
    let removed = false;
    await this.change(appId, async (users) => {
      if (!users.includes(openId) || !(await gone())) return users;
      removed = true;
      return users.filter((user) => user !== openId);
    });
    return removed;
  }

  private change(appId: string,
    next: (users: string[]) => string[] | Promise<string[]>): Promise<void> {
    return withStoreLock(this.coordination, `${this.lockPrefix}:token-index:${appId}`, LOCK,
      async () => {
        const users = await next(await this.list(appId));
        await this.store.set(this.key(appId), users);
      });
  }

  private key(appId: string): string {
    return `token-index:${appId}`;
  }
}
