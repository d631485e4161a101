import type { Keyv } from 'keyv';

import type { Clock } from '../../src/kernel/clock.js';
import type { Logger } from '../../src/kernel/logger.js';
import type { SealedValue } from '../session-manager/index.js';
import type { SecretBoxService, UserTokenRecord } from '../session-manager/index.js';

/** What `authen/v1/user_info` says of a user (reference §4.5); contact fields need scopes. */
export interface UserProfile {
  openId: string;
  name?: string;
  userId?: string;
  unionId?: string;
  email?: string;
  mobile?: string;
  syncedAt: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Keeps each user's profile beside their tokens, read with their own token. Sealed with the
 * vault key: email and mobile are personal data.
 */
export class UserInfoSync {
  constructor(
    private readonly openApiBaseUrl: string,
    private readonly store: Keyv,
    private readonly box: SecretBoxService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async sync(record: UserTokenRecord): Promise<UserProfile | undefined> {
    const res = await fetch(`${this.openApiBaseUrl}/open-apis/authen/v1/user_info`, {
      headers: { authorization: `Bearer ${record.accessToken}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    const data = body['data'] as Record<string, unknown> | undefined;
    if (body['code'] !== 0 || !data) {
      this.logger.warn({ openId: record.openId, status: res.status, code: body['code'] },
        'user info not synced');
      return undefined;
    }
    const profile = profileOf(record.openId, data, this.clock.now());
    const key = this.key(record.appId, record.openId);
    await this.store.set(key, this.box.seal(JSON.stringify(profile), key));
    this.logger.debug({ openId: record.openId }, 'user info synced');
    return profile;
  }

  async profile(appId: string, openId: string): Promise<UserProfile | undefined> {
    const key = this.key(appId, openId);
    const sealed = (await this.store.get(key)) as SealedValue | undefined;
    return sealed ? (JSON.parse(this.box.open(sealed, key)) as UserProfile) : undefined;
  }

  private key(appId: string, openId: string): string {
    return `profile:${appId}:${openId}`;
  }
}

function profileOf(openId: string, data: Record<string, unknown>, now: number): UserProfile {
  const text = (field: string) =>
    (typeof data[field] === 'string' && data[field] !== '' ? data[field] : undefined);
  const fields = { name: text('name'), userId: text('user_id'), unionId: text('union_id'),
    email: text('email'), mobile: text('mobile') };
  const present = Object.entries(fields).filter(([, value]) => value !== undefined);
  return { openId: text('open_id') ?? openId, ...Object.fromEntries(present), syncedAt: now };
}
