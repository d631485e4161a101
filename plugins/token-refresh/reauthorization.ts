import type { Keyv } from 'keyv';

import type { Clock } from '../../src/kernel/clock.js';
import type { Logger } from '../../src/kernel/logger.js';
import type { CardAuthorizationService } from '../card-auth/index.js';
import type { ReauthorizationReason } from './token-errors.js';

/** Kept in the store while a user must authorize again; cleared when they have. */
export interface ReauthorizationMark {
  reason: ReauthorizationReason;
  since: number;
  /** What the user had granted: the card asks for it again. */
  scopes: string[];
  /** The card sent for it, if one was. */
  sessionId?: string;
}

export interface ReauthorizationSettings {
  /** Named on the card: "authorize again to keep using <feature>". */
  feature: string;
  /** An extra line of the operator's; `{feature}` is replaced. Card-auth's own otherwise. */
  notice?: string;
  /** How long a mark is kept without the user authorizing. */
  markTtlMs: number;
}

/**
 * Users who must authorize again: the mark every instance sees, and the card that asks them,
 * with a line saying their authorization expired.
 */
export class Reauthorization {
  constructor(
    private readonly store: Keyv,
    private readonly cards: CardAuthorizationService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: ReauthorizationSettings,
  ) {}

  async markOf(appId: string, openId: string): Promise<ReauthorizationMark | undefined> {
    return (await this.store.get(this.key(appId, openId))) as ReauthorizationMark | undefined;
  }

  async mark(appId: string, openId: string, mark: Omit<ReauthorizationMark, 'since'>
    & { since?: number }): Promise<void> {
    await this.store.set(this.key(appId, openId), { since: this.clock.now(), ...mark },
      this.settings.markTtlMs);
  }

  async clear(appId: string, openId: string): Promise<void> {
    await this.store.delete(this.key(appId, openId));
  }

  /**
   * What a card for a user whose authorization ran out carries: card-auth's own line, in the
   * card's language, naming the feature (`renewal`), and the operator's notice if one is set.
   */
  renewalFields(feature = this.settings.feature): { feature: string; renewal: true;
    notice?: string } {
    const notice = this.settings.notice?.replace(/\{feature\}/g, feature);
    return { feature, renewal: true, ...(notice !== undefined && { notice }) };
  }

  /**
   * Asks the user with a card for the scopes they had; card-auth reuses an open session
   * for the same scopes, so several callers still make one card. Undefined if it failed.
   */
  async sendCard(openId: string, scopes: readonly string[], feature = this.settings.feature):
    Promise<string | undefined> {
    try {
      const ticket = await this.cards.requestAuthorization({ openId, scopes,
        reason: `${feature} needs your authorization`, ...this.renewalFields(feature) });
      return ticket.sessionId;
    } catch (err) {
      this.logger.warn({ err, openId }, 'reauthorization card could not be sent');
      return undefined;
    }
  }

  private key(appId: string, openId: string): string {
    return `reauthorize:${appId}:${openId}`;
  }
}
