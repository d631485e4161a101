import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LarkServiceError } from '../errors.js';
import { BUILTIN_PLUGINS } from '../plugins/builtin-plugins.js';
import { pluginFiles } from './plugin-template.js';

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_NAME = 40;

export const PLUGIN_USAGE = `Usage:
  lark-service plugin new <name> [--dir <folder>]   create <folder>/<name> (default ./plugins)`;

export interface CreatedPlugin {
  folder: string;
  files: string[];
}

/** `lark-service plugin <subcommand>`: returns the exit code. */
export async function pluginCommand(args: string[], out = process.stdout): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'new') {
    process.stderr.write(`unknown plugin command "${sub ?? ''}"\n${PLUGIN_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { dir: { type: 'string', short: 'd' } },
  });
  if (positionals.length !== 1) {
    process.stderr.write(`plugin new takes exactly one name\n${PLUGIN_USAGE}\n`);
    return 2;
  }
  const created = await createPlugin(positionals[0]!, values.dir ?? 'plugins');
  out.write(nextSteps(created, positionals[0]!));
  return 0;
}

/** Writes a new plugin folder; never overwrites anything. */
export async function createPlugin(name: string, dir: string): Promise<CreatedPlugin> {
  checkName(name);
  const folder = path.resolve(dir, name);
  if (existsSync(folder)) {
    throw new LarkServiceError(
      'LARK_E_PLUGIN_NEW_EXISTS',
      `${folder} already exists; choose another name or --dir, or remove it yourself`,
      { details: { folder } },
    );
  }
  await mkdir(folder, { recursive: true });
  const files = Object.entries(pluginFiles({ name }));
  for (const [file, text] of files) {
    await writeFile(path.join(folder, file), text, { flag: 'wx' });
  }
  return { folder, files: files.map(([file]) => file) };
}

function checkName(name: string): void {
  const problem =
    name.length > MAX_NAME ? `is longer than ${MAX_NAME} characters`
    : !NAME.test(name) ? 'must be lowercase letters and digits in words joined by "-", ' +
      'starting with a letter (e.g. order-status)'
    : name in BUILTIN_PLUGINS ? 'is the name of a built-in plugin'
    : undefined;
  if (!problem) return;
  throw new LarkServiceError('LARK_E_PLUGIN_NEW_NAME', `plugin name "${name}" ${problem}`, {
    details: { name },
  });
}

function nextSteps(created: CreatedPlugin, name: string): string {
  const relative = path.relative(process.cwd(), created.folder) || '.';
  return [
    `created ${relative}/: ${created.files.join(', ')}`,
    '',
    'next:',
    `  npx vitest run ${relative}        # its test passes as generated`,
    `  npx tsc -p ${relative}            # compiles it to ${relative}/dist/`,
    `  add "- use: ./${relative}/dist/index.js" after group-message in your configuration`,
    `  (the README in ${relative} says how to configure ${name})`,
    '',
  ].join('\n');
}
