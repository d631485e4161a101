import type {
  CardActionHandler,
  CardActionMatch,
  EventHandler,
} from '../plugins/plugin-definition.js';
import type { RetryPolicy } from '../config/config-schema.js';
import type { CardAction } from './lark-event.js';

export interface EventSubscription {
  readonly pluginId: string;
  readonly eventType: string;
  readonly handler: EventHandler;
  readonly timeoutMs?: number;
  /** True when the plugin asked not to receive events flagged stale. */
  readonly skipStale?: boolean;
}

export interface CardActionRoute {
  readonly pluginId: string;
  readonly match: CardActionMatch;
  readonly handler: CardActionHandler;
}

/** Who listens to what. Filled while plugins start, read for every event. */
export class HandlerRegistry {
  private readonly subscriptions = new Map<string, EventSubscription[]>();
  private readonly cardRoutes: CardActionRoute[] = [];
  private readonly retryPolicies = new Map<string, RetryPolicy>();

  subscribe(subscription: EventSubscription): void {
    const list = this.subscriptions.get(subscription.eventType) ?? [];
    list.push(subscription);
    this.subscriptions.set(subscription.eventType, list);
  }

  addCardRoute(route: CardActionRoute): void {
    this.cardRoutes.push(route);
  }

  subscribersOf(eventType: string): readonly EventSubscription[] {
    return this.subscriptions.get(eventType) ?? [];
  }

  /** The first route, in plugin start order, whose match accepts the action. */
  cardRouteFor(action: CardAction): CardActionRoute | undefined {
    return this.cardRoutes.find((route) => matches(route.match, action));
  }

  /** The retry policy from the plugin's config entry, if it set one. */
  setRetryPolicy(pluginId: string, policy: RetryPolicy | undefined): void {
    if (policy) this.retryPolicies.set(pluginId, policy);
    else this.retryPolicies.delete(pluginId);
  }

  retryPolicyOf(pluginId: string): RetryPolicy | undefined {
    return this.retryPolicies.get(pluginId);
  }

  eventTypes(): string[] {
    return [...this.subscriptions.keys()];
  }

  /** Forgets everything a plugin registered (used when it stops). */
  removePlugin(pluginId: string): void {
    for (const [type, list] of this.subscriptions) {
      this.subscriptions.set(type, list.filter((s) => s.pluginId !== pluginId));
    }
    for (let i = this.cardRoutes.length - 1; i >= 0; i--) {
      if (this.cardRoutes[i]!.pluginId === pluginId) this.cardRoutes.splice(i, 1);
    }
  }
}

function matches(match: CardActionMatch, action: CardAction): boolean {
  if (typeof match === 'function') return safePredicate(match, action);
  const value = action.value;
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(match).every(
    ([key, expected]) => (value as Record<string, unknown>)[key] === expected,
  );
}

function safePredicate(predicate: (a: CardAction) => boolean, action: CardAction): boolean {
  try {
    return predicate(action) === true;
  } catch {
    return false;
  }
}
