import type { LarkClient } from '../lark-client.js';
import type { CardActionResponse } from './lark-event.js';

/**
 * Applies a card after the callback was answered: by PATCHing the message when its id is known
 * (works for 14 days, any number of times within rate limits), else through the callback's
 * update token (30 minutes, at most two uses).
 */
export class CardUpdater {
  constructor(private readonly lark: LarkClient) {}

  async apply(
    card: NonNullable<CardActionResponse['card']>,
    target: { messageId?: string; token?: string },
  ): Promise<void> {
    if (target.messageId) {
      const content = card.type === 'raw' ? card.data : { type: 'template', data: card.data };
      await this.lark.im.v1.message.patch({
        path: { message_id: target.messageId },
        data: { content: JSON.stringify(content) },
      });
      return;
    }
    if (!target.token) throw new Error('no message id and no update token to apply the card');
    await this.lark.request({
      method: 'POST',
      url: '/open-apis/interactive/v1/card/update',
      data: { token: target.token, card: card.type === 'raw' ? card.data : card },
    });
  }
}
