import { LarkServiceError } from '../../src/kernel/errors.js';
import type { Coordination, Lock } from '../../src/kernel/store/coordination.js';

export interface LockOptions {
  /** How long the lock lives if its holder dies. */
  ttlMs: number;
  /** How long to keep trying before giving up. */
  waitMs: number;
}

const RETRY_MS = 15;

/**
 * Runs `work` while holding `key` across every instance sharing the store. Gives up with
 * LARK_E_STORE_LOCK_TIMEOUT when the lock stays taken for `waitMs`.
 */
export async function withStoreLock<T>(
  coordination: Coordination,
  key: string,
  options: LockOptions,
  work: (lock: Lock) => Promise<T>,
): Promise<T> {
  const lock = await acquire(coordination, key, options);
  try {
    return await work(lock);
  } finally {
    await lock.release().catch(() => false);
  }
}

async function acquire(coordination: Coordination, key: string,
  options: LockOptions): Promise<Lock> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const lock = await coordination.tryLock(key, options.ttlMs);
    if (lock) return lock;
    if (Date.now() >= deadline) {
      throw new LarkServiceError('LARK_E_STORE_LOCK_TIMEOUT',
        `lock "${key}" stayed taken for ${options.waitMs} ms; another instance holds it ` +
        'or died holding it (it frees itself after its time to live)', { details: { key } });
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
