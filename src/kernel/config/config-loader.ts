import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { LarkServiceError } from '../errors.js';
import { formatPath } from './config-path.js';
import { configSchema, type KernelConfig } from './config-schema.js';
import { interpolateEnv } from './env-interpolation.js';

export interface LoadedConfig {
  config: KernelConfig;
  /** Absolute path of the file, or undefined for an in-memory configuration. */
  file?: string;
  /** Directory that relative plugin paths and store paths are resolved against. */
  baseDir: string;
}

export async function loadConfigFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  const text = await readConfigText(absolute);
  return { ...parseConfigText(text, env, absolute), file: absolute };
}

export function parseConfigText(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
  file?: string,
): LoadedConfig {
  const raw = parseYamlText(text, file);
  const config = validateConfig(interpolateEnv(raw ?? {}, env), file);
  return { config, file, baseDir: file ? path.dirname(file) : process.cwd() };
}

export function validateConfig(raw: unknown, file?: string): KernelConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new LarkServiceError('LARK_E_CONFIG_INVALID', describeIssues(result.error, file), {
    details: { issues: result.error.issues.map((i) => formatPath(i.path)) },
  });
}

/** One line per problem: where it is, what is wrong. Values are never echoed (they may be secrets). */
export function describeIssues(error: z.ZodError, source?: string): string {
  const lines = error.issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`);
  const where = source ? ` in ${source}` : '';
  return `invalid configuration${where}:\n${lines.join('\n')}`;
}

async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new LarkServiceError(
      'LARK_E_CONFIG_FILE',
      `cannot read configuration file ${file}: ${(cause as Error).message}; ` +
        'pass an existing file with --config',
      { cause },
    );
  }
}

function parseYamlText(text: string, file?: string): unknown {
  try {
    return parseYaml(text);
  } catch (cause) {
    const where = cause instanceof YAMLParseError && cause.linePos
      ? ` at line ${cause.linePos[0].line}, column ${cause.linePos[0].col}`
      : '';
    throw new LarkServiceError(
      'LARK_E_CONFIG_FILE',
      `configuration ${file ?? '(text)'} is not valid YAML${where}: ${(cause as Error).message}`,
      { cause },
    );
  }
}
