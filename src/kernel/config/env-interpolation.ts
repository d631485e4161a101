import { LarkServiceError } from '../errors.js';
import { formatPath, type PathSegment } from './config-path.js';

const PLACEHOLDER = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed YAML tree. `$$` stands
 * for a literal `$`. Interpolating after parsing (not in the raw text) keeps a value from
 * injecting YAML structure and lets an error name the exact path.
 */
export function interpolateEnv(
  node: unknown,
  env: NodeJS.ProcessEnv,
  path: PathSegment[] = [],
): unknown {
  if (typeof node === 'string') return interpolateString(node, env, path);
  if (Array.isArray(node)) return node.map((item, i) => interpolateEnv(item, env, [...path, i]));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = interpolateEnv(value, env, [...path, key]);
    }
    return out;
  }
  return node;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, path: PathSegment[]): string {
  return text.replace(PLACEHOLDER, (match, name: string | undefined, fallback?: string) => {
    if (match === '$$') return '$';
    const value = env[name!];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new LarkServiceError(
      'LARK_E_CONFIG_ENV',
      `${formatPath(path)}: environment variable ${name} is not set; ` +
        `export it or write \${${name}:-default} to give a default`,
      { details: { path: formatPath(path), variable: name } },
    );
  });
}
