import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPackage, repoRoot, runCommand, type BuiltPackage,
} from '../support/built-package.js';

const guide = readFileSync(path.join(repoRoot, 'docs/plugins.md'), 'utf8');

/** The fenced block of docs/plugins.md whose info string is `<lang> <name>`. */
function docBlock(name: string): string {
  const fence = '```\\w+ ' + name.replace('.', '\\.') + '\\n([\\s\\S]*?)```';
  const match = new RegExp(fence).exec(guide);
  if (!match?.[1]) throw new Error(`docs/plugins.md has no block named ${name}`);
  return match[1];
}

let pkg: BuiltPackage;
beforeAll(async () => {
  pkg = await buildPackage();
}, 300_000);
afterAll(async () => {
  await pkg?.remove();
});

describe('the plugin author path, against the built package', () => {
  it('`lark-service plugin new demo` writes a plugin whose test passes with no edits', async () => {
    const project = await pkg.newProject('demo-project');
    const created = await runCommand(pkg, project, 'npx lark-service plugin new demo');
    expect(created.output).toContain('created plugins/demo/');
    expect(created.code).toBe(0);

    const tested = await runCommand(pkg, project, 'npx vitest run plugins/demo');
    expect(tested.output).toMatch(/Tests\s+1 passed/);
    expect(tested.code).toBe(0);
  }, 300_000);

  it('builds a plugin as docs/plugins.md says, loads it by path beside the built-in plugins, '
    + 'and both its test and the configuration test pass', async () => {
    const project = await pkg.newProject('guide-project');
    for (const line of docBlock('quickstart').split('\n').filter(Boolean)) {
      const step = await runCommand(pkg, project, line);
      expect({ line, code: step.code, output: step.output }).toMatchObject({ line, code: 0 });
    }
    await writeFile(path.join(project, 'service.yaml'), docBlock('service.yaml'));
    await writeFile(path.join(project, 'service.test.ts'), docBlock('service.test.ts'));

    const configured = await runCommand(pkg, project, 'npx vitest run service.test.ts');
    expect(configured.output).toMatch(/Tests\s+2 passed/);
    expect(configured.code).toBe(0);
  }, 300_000);
});
