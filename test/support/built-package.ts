import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (pkg: string, file: string) => path.join(repoRoot, 'node_modules', pkg, file);

/** The package as npm would install it: package.json and the compiled dist/ only. */
export interface BuiltPackage {
  root: string;
  /** A fresh folder whose node_modules holds lark-service (this build), vitest and tsc. */
  newProject(name: string): Promise<string>;
  /** Removes the build and the projects (links only; nothing they point at). */
  remove(): Promise<void>;
}

/** Compiles the package (tsconfig.build.json) into a temporary folder. */
export async function buildPackage(): Promise<BuiltPackage> {
  const base = await mkdtemp(path.join(tmpdir(), 'lark-service-pkg-'));
  const root = path.join(base, 'lark-service');
  await mkdir(root);
  await run(process.execPath, [bin('typescript', 'bin/tsc'), '-p',
    path.join(repoRoot, 'tsconfig.build.json'), '--outDir', path.join(root, 'dist')]);
  await copyFile(path.join(repoRoot, 'package.json'), path.join(root, 'package.json'));
  // Its dependencies, as an install would have placed them.
  await symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return {
    root,
    newProject: async (name) => {
      const project = path.join(base, name);
      await mkdir(path.join(project, 'node_modules'), { recursive: true });
      await symlink(root, path.join(project, 'node_modules', 'lark-service'), 'dir');
      for (const dep of ['vitest', 'typescript']) {
        await symlink(path.join(repoRoot, 'node_modules', dep),
          path.join(project, 'node_modules', dep), 'dir');
      }
      return project;
    },
    remove: () => rm(base, { recursive: true, force: true }),
  };
}

export interface CommandResult {
  code: number;
  output: string;
}

/**
 * Runs `npx lark-service|vitest|tsc ...` as written in the docs, in `cwd`, with the package
 * build standing in for the installed `lark-service`. The environment is a clean one, so the
 * child vitest does not take this run's settings for its own.
 */
export async function runCommand(pkg: BuiltPackage, cwd: string, line: string):
  Promise<CommandResult> {
  const [npx, tool, ...args] = line.trim().split(/\s+/);
  if (npx !== 'npx') throw new Error(`only npx commands are supported: ${line}`);
  const entry: Record<string, string> = {
    'lark-service': path.join(pkg.root, 'dist/src/kernel/cli.js'),
    vitest: bin('vitest', 'vitest.mjs'),
    tsc: bin('typescript', 'bin/tsc'),
  };
  const script = entry[tool ?? ''];
  if (!script) throw new Error(`no stand-in for npx ${tool}`);
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { cwd, env });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}
