import { systemClock } from '../clock.js';
import { loadConfigFile, type LoadedConfig } from '../config/config-loader.js';
import { formatPath } from '../config/config-path.js';
import type { PluginEntry } from '../config/config-schema.js';
import { isLarkServiceError, type ErrorCode } from '../errors.js';
import { parseOptions } from '../plugins/plugin-host.js';
import { orderPlugins, type GraphNode } from '../plugins/plugin-graph.js';
import { resolvePlugin } from '../plugins/plugin-resolver.js';
import { openStorage } from '../store/storage.js';
import type { CheckResult } from './doctor-report.js';

const CONFIG_FIXES: Partial<Record<ErrorCode, string>> = {
  LARK_E_CONFIG_FILE: 'pass an existing, valid YAML file with --config',
  LARK_E_CONFIG_ENV: 'export the variable, or give it a default with ${NAME:-default}',
  LARK_E_CONFIG_INVALID: 'fix each path listed; unknown keys are rejected, so check spelling',
};

const PLUGIN_FIXES: Partial<Record<ErrorCode, string>> = {
  LARK_E_PLUGIN_NOT_FOUND: 'use a built-in name, a ./path relative to the configuration, ' +
    'or npm install the package',
  LARK_E_PLUGIN_INVALID: "make the module's default export definePlugin({ name, start })",
  LARK_E_PLUGIN_OPTIONS: "fix the options listed; the plugin's documentation lists them",
  LARK_E_PLUGIN_DUPLICATE_ID: 'give one of the entries its own id:',
  LARK_E_PLUGIN_MISSING_PROVIDER: 'add and enable the plugin that provides the service named',
  LARK_E_PLUGIN_CYCLE: 'remove one of the requirements in the cycle',
};

export async function checkConfiguration(file: string): Promise<[CheckResult, LoadedConfig?]> {
  const name = 'configuration';
  try {
    const loaded = await loadConfigFile(file);
    const { config } = loaded;
    const enabled = config.plugins.filter((p) => p.enabled).length;
    const target = config.emulator.enabled ? 'the embedded emulator' : `app ${config.app.appId}`;
    const detail =
      `${loaded.file} is valid: ${target}, ${config.store.type} store, ${enabled} plugin(s)`;
    return [{ name, status: 'ok', detail }, loaded];
  } catch (err) {
    return [failure(name, err, CONFIG_FIXES, 'read the message above and fix the file')];
  }
}

/** Opens the configured store the way the kernel does, asks it to answer, and closes it. */
export async function checkStore(loaded: LoadedConfig): Promise<CheckResult> {
  const name = 'store';
  const { store } = loaded.config;
  const fix = store.type === 'redis'
    ? 'start Redis at that address, or fix store.url (redis://host:port)'
    : 'make store.path point to a writable file';
  try {
    const storage = await openStorage(store, systemClock, loaded.baseDir);
    try {
      await storage.ping();
    } finally {
      await storage.close();
    }
  } catch (err) {
    return failure(name, err, {}, fix);
  }
  const detail = store.type === 'memory'
    ? 'memory store: claims and sessions live in this process only; several instances need redis'
    : `the ${store.type} store answers`;
  return { name, status: 'ok', detail };
}

/**
 * Loads every enabled plugin and validates its options against its own schema, without
 * starting it; then checks that the plugins' requirements can be met in some order.
 */
export async function checkPlugins(loaded: LoadedConfig): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const nodes: GraphNode[] = [];
  for (const [index, entry] of loaded.config.plugins.entries()) {
    const entryPath = formatPath(['plugins', index]);
    if (!entry.enabled) {
      const name = `plugin ${entry.id ?? entryPath}`;
      results.push({ name, status: 'skip', detail: `${entryPath} is disabled` });
      continue;
    }
    const node = await loadPlugin(entry, entryPath, loaded.baseDir);
    if ('fail' in node) results.push(node.fail);
    else {
      nodes.push(node);
      const detail = `${entryPath}: loads, options valid`;
      results.push({ name: `plugin ${node.id}`, status: 'ok', detail });
    }
  }
  // The order can only be judged once every enabled plugin loaded.
  if (!results.some((r) => r.status === 'fail')) results.push(checkPluginGraph(nodes));
  return results;
}

async function loadPlugin(
  entry: PluginEntry,
  entryPath: string,
  baseDir: string,
): Promise<GraphNode | { fail: CheckResult }> {
  let node: GraphNode;
  try {
    const { definition } = await resolvePlugin(entry.use, entryPath, baseDir);
    node = { id: entry.id ?? definition.name, entryPath, definition };
  } catch (err) {
    return { fail: failure(`plugin ${entry.id ?? entryPath}`, err, PLUGIN_FIXES, 'fix the entry') };
  }
  try {
    parseOptions(node.definition, entry.options, entryPath, node.id);
    return node;
  } catch (err) {
    return { fail: failure(`plugin ${node.id}`, err, PLUGIN_FIXES, 'fix the options') };
  }
}

function checkPluginGraph(nodes: GraphNode[]): CheckResult {
  const name = 'plugin order';
  const duplicate = nodes.find((node, index) => nodes.findIndex((n) => n.id === node.id) !== index);
  if (duplicate) {
    return {
      name,
      status: 'fail',
      detail: `${duplicate.entryPath}: plugin id "${duplicate.id}" is used twice`,
      fix: PLUGIN_FIXES.LARK_E_PLUGIN_DUPLICATE_ID,
    };
  }
  try {
    const order = orderPlugins(nodes).map((n) => n.id);
    const detail = order.length ? `start order: ${order.join(', ')}` : 'no plugin is enabled';
    return { name, status: 'ok', detail };
  } catch (err) {
    return failure(name, err, PLUGIN_FIXES, 'fix the plugin requirements');
  }
}

function failure(
  name: string,
  err: unknown,
  fixes: Partial<Record<ErrorCode, string>>,
  fallback: string,
): CheckResult {
  const code = isLarkServiceError(err) ? err.code : undefined;
  const message = (err as Error)?.message ?? String(err);
  return {
    name,
    status: 'fail',
    detail: code ? `${code}: ${message}` : message,
    fix: (code && fixes[code]) || fallback,
  };
}
