import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

/**
 * Child processes run plain Node, which cannot load TypeScript: this turns the given source
 * folders into JavaScript (no type check; the typecheck step covers that) under `outDir`,
 * keeping the tree so relative imports still resolve. `outDir` must sit inside the repository
 * so that bare imports find its node_modules.
 */
export async function transpileTree(
  root: string,
  folders: string[],
  outDir: string,
): Promise<void> {
  const lists = await Promise.all(folders.map((folder) => listTs(path.join(root, folder))));
  const files = lists.flat();
  await Promise.all(files.map(async (file) => {
    const source = await readFile(file, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
      },
    });
    const target = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, '.js');
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }));
}

async function listTs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map(async (entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test' ? [] : listTs(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  }));
  return nested.flat();
}
