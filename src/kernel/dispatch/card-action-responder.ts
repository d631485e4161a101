import { EventEmitter } from 'node:events';
import { LarkServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import { normalizeCardAction } from './card-action.js';
import { checkCardResponse, isSchema2Card, toast } from './card-response.js';
import type { CardUpdater } from './card-updater.js';
import type { HandlerRegistry } from './handler-registry.js';
import type { CardAction, CardActionResponse, LarkEvent } from './lark-event.js';

export interface CardBudgetSettings {
  /** The answer must leave well inside the platform's 3 s. */
  cardBudgetMs: number;
  /**
   * How a JSON 2.0 card returned by a handler reaches the user. 'inline' sends it in the ACK
   * (documented as allowed); 'patch' answers with the toast only and PATCHes the message right
   * after, because inline 2.0 cards have been reported rejected (client error 200673).
   */
  schema2Cards: 'patch' | 'inline';
}

const PROCESSING = toast('info', '正在处理…', 'Processing…');
const FAILED = toast('error', '操作失败，请稍后重试', 'Something went wrong; please try again');
const TIMED_OUT = Symbol('timed-out');

/**
 * How a click was answered: by the handler inside the budget (`answered`), with the
 * "processing" toast (`over_budget`), with an error toast (`failed`, `invalid`), or with an
 * empty answer because no handler matched (`unmatched`).
 */
export type CardOutcome = 'answered' | 'over_budget' | 'failed' | 'invalid' | 'unmatched';

export interface CardAnswer {
  plugin?: string;
  outcome: CardOutcome;
}

/**
 * Answers a card click within the budget. The handler's response is validated before it is
 * sent; a slow handler is answered with a "processing" toast and its card applied later; an
 * error becomes an error toast, never a failed ACK (which the user would see as an error).
 */
export class CardActionResponder extends EventEmitter<{ answered: [CardAnswer] }> {
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly updater: CardUpdater,
    private readonly logger: Logger,
    private readonly settings: CardBudgetSettings,
  ) {
    super();
  }

  async answer(event: LarkEvent): Promise<CardActionResponse> {
    const action = normalizeCardAction(event);
    const route = this.registry.cardRouteFor(action);
    const fields = { eventId: event.eventId, eventType: event.eventType };
    if (!route) {
      this.logger.debug(fields, 'no card-action handler matches; acknowledged');
      this.emit('answered', { outcome: 'unmatched' });
      return {};
    }
    const plugin = route.pluginId;
    const log = this.logger.child({ ...fields, plugin: route.pluginId });
    const work = this.track(Promise.resolve().then(() => route.handler(action, event)));
    const outcome = await this.withinBudget(work);
    if (outcome === TIMED_OUT) {
      log.warn({ durationMs: this.settings.cardBudgetMs }, 'card handler over budget');
      void work.then((late) => this.applyLate(late, action, log), () => undefined);
      this.emit('answered', { plugin, outcome: 'over_budget' });
      return PROCESSING;
    }
    if (outcome.error !== undefined) {
      log.error({ err: outcome.error }, 'card handler failed');
      this.emit('answered', { plugin, outcome: 'failed' });
      return FAILED;
    }
    const response = this.finalize(outcome.value, action, log);
    this.emit('answered', { plugin, outcome: response === FAILED ? 'invalid' : 'answered' });
    return response;
  }

  pending(): number {
    return this.running.size;
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private finalize(value: unknown, action: CardAction, log: Logger): CardActionResponse {
    if (value === undefined || value === null) return {};
    const check = checkCardResponse(value);
    if (!check.ok) {
      const err = new LarkServiceError(
        'LARK_E_CARD_RESPONSE_INVALID',
        `card handler returned a response the platform rejects: ${check.problems.join('; ')}`,
      );
      log.error({ err }, 'invalid card response replaced by an error toast');
      return FAILED;
    }
    const response = check.response;
    if (this.settings.schema2Cards === 'patch' && isSchema2Card(response) && action.messageId) {
      const card = response.card!;
      setImmediate(() => void this.applyCard(card, action, log));
      return response.toast ? { toast: response.toast } : {};
    }
    return response;
  }

  private async applyLate(value: unknown, action: CardAction, log: Logger): Promise<void> {
    const check = value === undefined ? undefined : checkCardResponse(value);
    if (!check?.ok || !check.response.card) return;
    await this.applyCard(check.response.card, action, log);
  }

  private async applyCard(
    card: NonNullable<CardActionResponse['card']>,
    action: CardAction,
    log: Logger,
  ): Promise<void> {
    try {
      await this.track(this.updater.apply(card, action));
      log.debug('card updated after the callback');
    } catch (err) {
      log.error({ err }, 'card update after the callback failed');
    }
  }

  private async withinBudget(
    work: Promise<unknown>,
  ): Promise<typeof TIMED_OUT | { value?: unknown; error?: unknown }> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), this.settings.cardBudgetMs);
    });
    const settled = work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error: error ?? new Error('card handler rejected') }),
    );
    try {
      return await Promise.race([settled, budget]);
    } finally {
      clearTimeout(timer);
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    const forget = () => this.running.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}
