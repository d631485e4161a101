import type { Keyv } from 'keyv';

import type { Coordination, SharedIndex } from '../../src/kernel/store/coordination.js';

/** Long enough to outlive any record it lists (a refresh token lives 365 days at most). */
const LISTED_MS = 400 * 24 * 3_600_000;

/**
 * The open ids that have a record in the vault, per app, so a scheduler can walk them. Each
 * user is one field of a shared index, added and removed on its own: storing many users at
 * once never queues on one lock.
 */
export class VaultUserIndex {
  constructor(
    private readonly coordination: Coordination,
    private readonly name: string,
    /** The plugin's store, where version 0.1.0 kept the list as one record per app. */
    private readonly store?: Keyv,
  ) {}

  async list(appId: string): Promise<string[]> {
    await this.adoptEarlierList(appId);
    return [...(await this.of(appId).entries()).keys()];
  }

  /**
   * Moves the users of the one-record list an earlier version kept into the index, once, so
   * a store carried over from it loses no user from the scheduler's walk.
   */
  private async adoptEarlierList(appId: string): Promise<void> {
    const key = `token-index:${appId}`;
    const earlier = (await this.store?.get(key)) as string[] | undefined;
    if (!earlier) return;
    for (const openId of earlier) await this.add(appId, openId);
    await this.store!.delete(key);
  }

  async add(appId: string, openId: string): Promise<void> {
    await this.of(appId).set(openId, '', LISTED_MS);
  }

  async remove(appId: string, openId: string): Promise<void> {
    await this.of(appId).delete(openId);
  }

  /**
   * Removes the user when `gone()` holds, and lists them again if a record was stored
   * meanwhile: a put stores its record before it lists the user, so either that listing
   * comes after this removal, or the second look at the record sees it.
   */
  async removeIf(appId: string, openId: string, gone: () => Promise<boolean>): Promise<boolean> {
    if (!(await gone())) return false;
    const removed = await this.of(appId).delete(openId);
    if (!(await gone())) {
      await this.add(appId, openId);
      return false;
    }
    return removed;
  }

  private of(appId: string): SharedIndex {
    return this.coordination.index(`${this.name}:token-users:${appId}`);
  }
}
