import type { Keyv } from 'keyv';
import type { DependencyContainer } from 'tsyringe';
import type { z } from 'zod';
import type { Clock } from '../clock.js';
import type { CardAction, CardActionResponse, LarkEvent } from '../dispatch/lark-event.js';
import type { LarkClient } from '../lark-client.js';
import type { Logger } from '../logger.js';
import type { PluginMetrics } from '../ops/metric-catalogue.js';
import type { Coordination } from '../store/coordination.js';

/** A typed name for a service one plugin provides and others require. */
export interface ServiceToken<T> {
  readonly name: string;
  readonly symbol: symbol;
  /** Carries the service type only; never set. */
  readonly __type?: T;
}

export function serviceToken<T>(name: string): ServiceToken<T> {
  return { name, symbol: Symbol.for(`lark-service:${name}`) };
}

export type EventHandler<Payload = Record<string, unknown>> = (
  event: LarkEvent<Payload>,
  delivery: DeliveryInfo,
) => void | Promise<void>;

/** How this run of a handler came about; see docs/delivery.md. */
export interface DeliveryInfo {
  /** 1 for the first run, n for the n-th under the plugin's retry policy. */
  readonly attempt: number;
  /**
   * The store key the kernel sets once this plugin is done with this event (a handler that
   * returns is done). A handler whose effect lives in the same store can set it itself, in the
   * same atomic step as its effect and only if absent, so that not even a crash between its
   * effect and the kernel's mark can make it run twice.
   */
  readonly doneKey: string;
  /** How long the done key must live (dispatch.dedupTtlSeconds). */
  readonly doneTtlMs: number;
}

export type CardActionHandler = (
  action: CardAction,
  event: LarkEvent,
) => CardActionResponse | void | Promise<CardActionResponse | void>;

/**
 * Which clicks a card-action handler answers: every listed key must equal the same key of the
 * action's value object, or the predicate must return true.
 */
export type CardActionMatch =
  | Readonly<Record<string, string | number | boolean>>
  | ((action: CardAction) => boolean);

export interface EventSubscriptionOptions {
  /** Handler timeout for this subscription; the kernel default applies otherwise. */
  timeoutMs?: number;
  /** Do not run this handler for events flagged stale (older than dispatch.staleAfterSeconds). */
  skipStale?: boolean;
}

/** What a plugin receives while it starts and keeps for its lifetime. */
export interface PluginContext<Options = unknown> {
  /** The entry's id (defaults to the plugin's name); unique per deployment. */
  readonly id: string;
  readonly options: Options;
  readonly appId: string;
  readonly logger: Logger;
  /** keyv namespaced to this plugin id, on the deployment's store. */
  readonly store: Keyv;
  readonly coordination: Coordination;
  readonly lark: LarkClient;
  readonly clock: Clock;
  /** Adds this plugin's own series to the kernel's /metrics (prom-client metric objects). */
  readonly metrics: PluginMetrics;
  /** This plugin's child container; holds the services it declared it requires. */
  readonly container: DependencyContainer;
  /** Runs `handler` for every event of `eventType`; every subscribed plugin runs. */
  on<Payload = Record<string, unknown>>(
    eventType: string,
    handler: EventHandler<Payload>,
    options?: EventSubscriptionOptions,
  ): void;
  /** Answers matching card clicks; the handler's return value is the callback response. */
  onCardAction(match: CardActionMatch, handler: CardActionHandler): void;
  /** Makes a declared service available to the plugins that require it. */
  provide<T>(token: ServiceToken<T>, service: T): void;
  /** Returns a service this plugin declared in `requires`. */
  use<T>(token: ServiceToken<T>): T;
}

export interface PluginDefinition<Options = unknown> {
  readonly name: string;
  readonly description?: string;
  /** Validates the entry's `options`; the parsed value (defaults applied) reaches `start`. */
  readonly options?: z.ZodType<Options>;
  readonly provides?: readonly ServiceToken<unknown>[];
  readonly requires?: readonly ServiceToken<unknown>[];
  /** Default 10 s; start-up fails naming the plugin when exceeded. */
  readonly startTimeoutMs?: number;
  start(context: PluginContext<Options>): void | Promise<void>;
  stop?(context: PluginContext<Options>): void | Promise<void>;
}

/** Identity function that gives a plugin definition its types. */
export function definePlugin<Options = Record<string, never>>(
  definition: PluginDefinition<Options>,
): PluginDefinition<Options> {
  return definition;
}
