import { describe, expect, it } from 'vitest';
import tokenRefresh from '../../../plugins/token-refresh/index.js';

describe('token-refresh options', () => {
  it('accepts the defaults: three attempts fit inside the lock', () => {
    expect(tokenRefresh.options!.safeParse({}).success).toBe(true);
  });

  it('refuses retries that could outlive the lock guarding a single-use refresh token', () => {
    const parsed = tokenRefresh.options!.safeParse({ retry: { attempts: 10 } });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['lock', 'ttlMs'],
      message: expect.stringContaining('150000 ms') });
  });
});
