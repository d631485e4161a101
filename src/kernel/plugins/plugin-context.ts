import { Registry } from 'prom-client';
import type { DependencyContainer } from 'tsyringe';
import type { Clock } from '../clock.js';
import type { HandlerRegistry } from '../dispatch/handler-registry.js';
import { LarkServiceError } from '../errors.js';
import type { LarkClient } from '../lark-client.js';
import type { Logger } from '../logger.js';
import { MetricCatalogue } from '../ops/metric-catalogue.js';
import type { Storage } from '../store/storage.js';
import type { PluginContext, PluginDefinition, ServiceToken } from './plugin-definition.js';

export interface PluginContextDeps {
  root: DependencyContainer;
  registry: HandlerRegistry;
  storage: Storage;
  lark: LarkClient;
  clock: Clock;
  appId: string;
  /** The kernel's metrics; without them a plugin's series go to a registry nobody scrapes. */
  metrics?: MetricCatalogue;
  id: string;
  definition: PluginDefinition<unknown>;
  options: unknown;
  logger: Logger;
  /** Services provided so far, shared by every plugin of the host. */
  services: Map<symbol, unknown>;
}

/**
 * Builds a plugin's context and child container. A plugin only receives the services it
 * declared in `requires` and may only provide those it declared in `provides`, so the
 * dependency graph in the definitions is the real one.
 */
export function createPluginContext(deps: PluginContextDeps): PluginContext<unknown> {
  const { definition, id } = deps;
  const container = deps.root.createChildContainer();
  for (const token of definition.requires ?? []) {
    container.register(token.symbol, { useFactory: () => provided(deps.services, token, id) });
  }
  const declared = (list: readonly ServiceToken<unknown>[] | undefined, token: ServiceToken<unknown>) =>
    (list ?? []).some((t) => t.name === token.name);

  return {
    id,
    options: deps.options,
    appId: deps.appId,
    logger: deps.logger,
    store: deps.storage.namespace(`plugin:${id}`),
    coordination: deps.storage.coordination,
    lark: deps.lark,
    clock: deps.clock,
    metrics: (deps.metrics ?? new MetricCatalogue(new Registry())).forOwner(definition.name),
    container,
    on: (eventType, handler, options) =>
      deps.registry.subscribe({
        pluginId: id,
        eventType,
        handler: handler as never,
        timeoutMs: options?.timeoutMs,
        skipStale: options?.skipStale,
      }),
    onCardAction: (match, handler) => deps.registry.addCardRoute({ pluginId: id, match, handler }),
    provide: (token, service) => {
      if (!declared(definition.provides, token)) throw undeclared(id, 'provides', token.name);
      deps.services.set(token.symbol, service);
    },
    use: <T>(token: ServiceToken<T>): T => {
      if (!declared(definition.requires, token)) throw undeclared(id, 'requires', token.name);
      return container.resolve<T>(token.symbol);
    },
  };
}

function provided(services: Map<symbol, unknown>, token: ServiceToken<unknown>, id: string): unknown {
  if (services.has(token.symbol)) return services.get(token.symbol);
  throw new LarkServiceError(
    'LARK_E_PLUGIN_MISSING_PROVIDER',
    `plugin "${id}" asked for service "${token.name}" before its provider called provide(); ` +
      'providers must provide their services during start()',
    { details: { plugin: id, service: token.name } },
  );
}

function undeclared(id: string, list: 'provides' | 'requires', service: string): LarkServiceError {
  return new LarkServiceError(
    'LARK_E_PLUGIN_UNDECLARED_SERVICE',
    `plugin "${id}" uses service "${service}" without declaring it; add it to ${list} in its definition`,
    { details: { plugin: id, service } },
  );
}
