import type { LarkClient } from '../../src/kernel/lark-client.js';
import type { Logger } from '../../src/kernel/logger.js';

interface BotInfoResponse {
  code?: number;
  bot?: { open_id?: string; app_name?: string };
}

/**
 * The bot's own open_id (from `GET /open-apis/bot/v3/info`, whose `bot` sits at the top level),
 * fetched once and cached. A failed fetch is retried on the next message rather than leaving the
 * bot deaf to mentions until a restart.
 */
export class BotIdentity {
  private pending: Promise<string | undefined> | undefined;

  constructor(
    private readonly lark: LarkClient,
    private readonly logger: Logger,
  ) {}

  openId(): Promise<string | undefined> {
    this.pending ??= this.fetch();
    return this.pending;
  }

  private async fetch(): Promise<string | undefined> {
    try {
      const response = (await this.lark.request({
        method: 'GET',
        url: '/open-apis/bot/v3/info',
      })) as BotInfoResponse;
      const openId = response.bot?.open_id;
      if (!openId) throw new Error(`bot info has no open_id (code ${response.code})`);
      this.logger.info({ botName: response.bot?.app_name }, 'bot identity fetched');
      return openId;
    } catch (err) {
      this.logger.warn({ err }, 'cannot fetch the bot identity; will retry on the next message');
      this.pending = undefined;
      return undefined;
    }
  }
}
