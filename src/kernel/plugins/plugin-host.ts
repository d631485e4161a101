import type { DependencyContainer } from 'tsyringe';
import type { Clock } from '../clock.js';
import { formatPath } from '../config/config-path.js';
import type { PluginEntry } from '../config/config-schema.js';
import type { HandlerRegistry } from '../dispatch/handler-registry.js';
import { withTimeout, TimeoutError } from '../dispatch/timeout.js';
import { LarkServiceError } from '../errors.js';
import type { LarkClient } from '../lark-client.js';
import type { Logger } from '../logger.js';
import type { MetricCatalogue } from '../ops/metric-catalogue.js';
import type { Storage } from '../store/storage.js';
import { createPluginContext } from './plugin-context.js';
import type { PluginContext, PluginDefinition } from './plugin-definition.js';
import { orderPlugins } from './plugin-graph.js';
import { resolvePlugin } from './plugin-resolver.js';

const DEFAULT_START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

export interface PluginHostDeps {
  root: DependencyContainer;
  registry: HandlerRegistry;
  storage: Storage;
  lark: LarkClient;
  clock: Clock;
  logger: Logger;
  appId: string;
  /** Plugin definitions given in code, resolvable by their key from an entry's `use`. */
  inlinePlugins?: ReadonlyMap<string, PluginDefinition<unknown>>;
  metrics?: MetricCatalogue;
}

export type PluginState = 'loaded' | 'starting' | 'started' | 'failed' | 'stopped';

interface LoadedPlugin {
  id: string;
  entryPath: string;
  definition: PluginDefinition<unknown>;
  options: unknown;
  retry?: PluginEntry['retry'];
  state: PluginState;
  context?: PluginContext<unknown>;
}

/** Loads the configured plugins, starts them in dependency order and stops them in reverse. */
export class PluginHost {
  private plugins: LoadedPlugin[] = [];
  private readonly services = new Map<symbol, unknown>();

  constructor(private readonly deps: PluginHostDeps) {}

  async load(entries: readonly PluginEntry[], baseDir: string): Promise<void> {
    const loaded: LoadedPlugin[] = [];
    for (const [index, entry] of entries.entries()) {
      if (!entry.enabled) continue;
      const entryPath = formatPath(['plugins', index]);
      const inline = this.deps.inlinePlugins;
      const { definition } = await resolvePlugin(entry.use, entryPath, baseDir, inline);
      const id = entry.id ?? definition.name;
      assertUniqueId(loaded, id, entryPath);
      const options = parseOptions(definition, entry.options, entryPath, id);
      loaded.push({ id, entryPath, definition, options, retry: entry.retry, state: 'loaded' });
    }
    this.plugins = orderPlugins(loaded);
  }

  async startAll(): Promise<void> {
    for (const plugin of this.plugins) await this.start(plugin);
  }

  async stopAll(): Promise<void> {
    for (const plugin of [...this.plugins].reverse()) {
      if (plugin.state !== 'started' && plugin.state !== 'failed') continue;
      await this.stop(plugin);
    }
  }

  states(): { id: string; name: string; state: PluginState }[] {
    return this.plugins.map((p) => ({ id: p.id, name: p.definition.name, state: p.state }));
  }

  private async start(plugin: LoadedPlugin): Promise<void> {
    const log = this.deps.logger.child({ plugin: plugin.id });
    plugin.state = 'starting';
    this.deps.registry.setRetryPolicy(plugin.id, plugin.retry);
    plugin.context = createPluginContext({
      ...this.deps,
      id: plugin.id,
      definition: plugin.definition,
      options: plugin.options,
      logger: log,
      services: this.services,
    });
    const timeoutMs = plugin.definition.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    try {
      await withTimeout(Promise.resolve().then(() => plugin.definition.start(plugin.context!)), timeoutMs);
    } catch (cause) {
      plugin.state = 'failed';
      throw startError(plugin, cause, timeoutMs);
    }
    plugin.state = 'started';
    log.info('plugin started');
  }

  private async stop(plugin: LoadedPlugin): Promise<void> {
    const log = this.deps.logger.child({ plugin: plugin.id });
    try {
      const stopping = Promise.resolve().then(() => plugin.definition.stop?.(plugin.context!));
      await withTimeout(stopping, STOP_TIMEOUT_MS);
      log.info('plugin stopped');
    } catch (err) {
      log.error({ err }, 'plugin failed to stop cleanly');
    } finally {
      this.deps.registry.removePlugin(plugin.id);
      plugin.state = 'stopped';
    }
  }
}

export function parseOptions(
  definition: PluginDefinition<unknown>,
  raw: Record<string, unknown>,
  entryPath: string,
  id: string,
): unknown {
  if (!definition.options) return raw;
  const result = definition.options.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `  - ${formatPath([entryPath, 'options', ...issue.path])}: ${issue.message}`,
  );
  throw new LarkServiceError(
    'LARK_E_PLUGIN_OPTIONS',
    `invalid options for plugin "${id}":\n${lines.join('\n')}`,
    { details: { plugin: id, entry: entryPath } },
  );
}

function assertUniqueId(loaded: LoadedPlugin[], id: string, entryPath: string): void {
  const clash = loaded.find((p) => p.id === id);
  if (!clash) return;
  throw new LarkServiceError(
    'LARK_E_PLUGIN_DUPLICATE_ID',
    `${entryPath}: plugin id "${id}" is already used by ${clash.entryPath}; ` +
      'give one of them a distinct id: to run two instances',
  );
}

function startError(plugin: LoadedPlugin, cause: unknown, timeoutMs: number): LarkServiceError {
  const where = `${plugin.entryPath} (${plugin.id})`;
  if (cause instanceof TimeoutError) {
    return new LarkServiceError(
      'LARK_E_PLUGIN_START_TIMEOUT',
      `plugin ${where} did not start within ${timeoutMs} ms; check what its start() waits for`,
      { details: { plugin: plugin.id } },
    );
  }
  if (cause instanceof LarkServiceError) return cause;
  return new LarkServiceError(
    'LARK_E_PLUGIN_START_FAILED',
    `plugin ${where} failed to start: ${(cause as Error)?.message ?? String(cause)}`,
    { cause, details: { plugin: plugin.id } },
  );
}
