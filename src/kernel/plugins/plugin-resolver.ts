import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LarkServiceError } from '../errors.js';
import { BUILTIN_PLUGINS } from './builtin-plugins.js';
import type { PluginDefinition } from './plugin-definition.js';

export type PluginSource = 'builtin' | 'path' | 'package' | 'inline';

export interface ResolvedPlugin {
  definition: PluginDefinition<unknown>;
  source: PluginSource;
}

/**
 * Finds the module an entry's `use` names: a built-in name, a path (starting with `.` or `/`,
 * relative to the configuration file) or an npm package installed beside the deployment.
 */
export async function resolvePlugin(
  use: string,
  entryPath: string,
  baseDir: string,
  inline?: ReadonlyMap<string, PluginDefinition<unknown>>,
): Promise<ResolvedPlugin> {
  // Definitions handed over in code (the test kit) win over every other source.
  const given = inline?.get(use);
  if (given) return { definition: checkDefinition(given, use, entryPath), source: 'inline' };
  const builtin = BUILTIN_PLUGINS[use];
  if (builtin) return { definition: checkDefinition((await builtin()).default, use, entryPath), source: 'builtin' };
  if (use.startsWith('.') || path.isAbsolute(use)) {
    return { definition: await importPath(use, entryPath, baseDir), source: 'path' };
  }
  return { definition: await importPackage(use, entryPath, baseDir), source: 'package' };
}

async function importPath(use: string, entryPath: string, baseDir: string) {
  const file = path.resolve(baseDir, use);
  if (!existsSync(file)) {
    throw notFound(entryPath, use, `no file or folder at ${file}; paths are relative to the configuration file`);
  }
  return checkDefinition(await importModule(pathToFileURL(file).href, entryPath, use), use, entryPath);
}

async function importPackage(use: string, entryPath: string, baseDir: string) {
  let resolved: string;
  try {
    resolved = createRequire(path.join(baseDir, 'noop.js')).resolve(use);
  } catch {
    const names = Object.keys(BUILTIN_PLUGINS).join(', ');
    throw notFound(
      entryPath,
      use,
      `it is not a built-in plugin (${names}), not a path (start it with ./) ` +
        `and not an installed npm package (npm install ${use})`,
    );
  }
  return checkDefinition(await importModule(pathToFileURL(resolved).href, entryPath, use), use, entryPath);
}

async function importModule(url: string, entryPath: string, use: string): Promise<unknown> {
  try {
    const module = (await import(url)) as { default?: unknown; plugin?: unknown };
    return module.default ?? module.plugin;
  } catch (cause) {
    throw new LarkServiceError(
      'LARK_E_PLUGIN_INVALID',
      `${entryPath}: plugin "${use}" failed to load: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function checkDefinition(value: unknown, use: string, entryPath: string): PluginDefinition<unknown> {
  const def = value as Partial<PluginDefinition<unknown>> | undefined;
  if (def && typeof def.name === 'string' && typeof def.start === 'function') {
    return def as PluginDefinition<unknown>;
  }
  throw new LarkServiceError(
    'LARK_E_PLUGIN_INVALID',
    `${entryPath}: "${use}" does not export a plugin definition; ` +
      'export default definePlugin({ name, start }) from its entry module',
  );
}

function notFound(entryPath: string, use: string, why: string): LarkServiceError {
  return new LarkServiceError('LARK_E_PLUGIN_NOT_FOUND', `${entryPath}: plugin "${use}" not found: ${why}`, {
    details: { entry: entryPath, use },
  });
}
