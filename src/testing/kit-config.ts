import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../kernel/config/config-loader.js';
import type { KernelConfig } from '../kernel/config/config-schema.js';
import { interpolateEnv } from '../kernel/config/env-interpolation.js';
import { LarkServiceError } from '../kernel/errors.js';
import type { PluginDefinition } from '../kernel/plugins/plugin-definition.js';

/**
 * A plugin for the kit: a definition (the usual case in a plugin's own test), a definition with
 * its entry settings, or a configuration entry (`use`: built-in name, ./path or package).
 */
export type KitPluginEntry =
  | PluginDefinition<any>
  | { plugin: PluginDefinition<any>; id?: string; options?: Record<string, unknown> }
  | { use: string; id?: string; options?: Record<string, unknown> };

export interface KitConfigSource {
  /** YAML text or an object in the configuration file's shape. */
  config?: string | Record<string, unknown>;
  /** A configuration file; relative plugin paths resolve against its folder. */
  configFile?: string;
  plugins?: readonly KitPluginEntry[];
  baseDir?: string;
}

export interface KitConfig {
  config: KernelConfig;
  baseDir: string;
  inlinePlugins: Map<string, PluginDefinition<unknown>>;
}

/**
 * The configuration the kit runs: the test's own (YAML, object or file) with `app` and
 * `emulator` replaced by the kit's emulator, the memory store unless another is asked for,
 * and the kit's plugin entries appended after the configured ones.
 */
export function buildKitConfig(source: KitConfigSource, app: Record<string, string>): KitConfig {
  const { raw, baseDir } = readSource(source);
  const inlinePlugins = new Map<string, PluginDefinition<unknown>>();
  const entries = (source.plugins ?? []).map((entry, i) => toEntry(entry, i, inlinePlugins));
  const { app: _app, emulator: _emulator, ...rest } = raw;
  const merged = {
    store: { type: 'memory' },
    logging: { level: 'debug' },
    ...rest,
    plugins: [...asList(rest.plugins), ...entries],
  };
  // The kit's own app is offered as APP_ID, APP_SECRET and DOMAIN, so plugin options can point
  // at the emulator the kit started.
  const env = { ...process.env, APP_ID: app.appId, APP_SECRET: app.appSecret, DOMAIN: app.domain };
  const config = validateConfig({ ...interpolateEnv(merged, env) as object, app });
  return { config, baseDir, inlinePlugins };
}

function readSource(source: KitConfigSource): { raw: Record<string, unknown>; baseDir: string } {
  if (source.configFile) {
    const file = path.resolve(source.configFile);
    const raw = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    return { raw: raw ?? {}, baseDir: source.baseDir ?? path.dirname(file) };
  }
  const raw = typeof source.config === 'string' ? parseYaml(source.config) : source.config;
  return { raw: (raw ?? {}) as Record<string, unknown>, baseDir: source.baseDir ?? process.cwd() };
}

function toEntry(
  entry: KitPluginEntry,
  index: number,
  inline: Map<string, PluginDefinition<unknown>>,
): Record<string, unknown> {
  if ('use' in entry) return { ...entry };
  const [definition, settings] = 'plugin' in entry ? [entry.plugin, entry] : [entry, {}];
  if (typeof definition?.start !== 'function') {
    throw new LarkServiceError(
      'LARK_E_PLUGIN_INVALID',
      `test kit plugins[${index}] is not a plugin definition; pass the module's default export`,
    );
  }
  const key = `inline:${index}:${definition.name}`;
  inline.set(key, definition as PluginDefinition<unknown>);
  return { use: key, id: settings.id ?? definition.name, options: settings.options ?? {} };
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
