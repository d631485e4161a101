import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlugin } from '../../src/kernel/commands/plugin-new.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'plugin-new-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lark-service plugin new', () => {
  it('writes the definition, options schema, a kit test, tsconfig and README', async () => {
    const created = await createPlugin('order-status', dir);
    expect(created.files.sort()).toEqual(
      ['README.md', 'index.test.ts', 'index.ts', 'options.ts', 'tsconfig.json'],
    );
    const definition = readFileSync(path.join(created.folder, 'index.ts'), 'utf8');
    expect(definition).toContain("name: 'order-status'");
    expect(definition).toContain("from 'lark-service'");
    const test = readFileSync(path.join(created.folder, 'index.test.ts'), 'utf8');
    expect(test).toContain("from 'lark-service/testing'");
    expect(test.split('\n').length).toBeLessThanOrEqual(20);
  });

  it.each([
    ['Hello', /lowercase/],
    ['9lives', /starting with a letter/],
    ['bad_name', /lowercase/],
    ['trailing-', /lowercase/],
    ['a'.repeat(41), /longer than 40/],
    ['group-message', /built-in plugin/],
  ])('refuses the name %j with a clear error', async (name, why) => {
    const attempt = createPlugin(name, dir);
    await expect(attempt).rejects.toMatchObject({ code: 'LARK_E_PLUGIN_NEW_NAME' });
    await expect(attempt).rejects.toThrow(why);
    expect(existsSync(path.join(dir, name))).toBe(false);
  });

  it('refuses to overwrite an existing folder and leaves it as it was', async () => {
    await mkdir(path.join(dir, 'hello'));
    await expect(createPlugin('hello', dir)).rejects.toMatchObject({
      code: 'LARK_E_PLUGIN_NEW_EXISTS',
    });
    expect(existsSync(path.join(dir, 'hello', 'index.ts'))).toBe(false);
  });
});
