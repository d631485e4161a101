import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EmulatorErrorCode } from '../../src/emulator/errors.js';
import { ErrorCodes } from '../../src/kernel/errors.js';

const page = readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '../../docs/errors.md'),
  'utf8',
);
const documented = [...page.matchAll(/^\| `(LARK_E_[A-Z_]+)` \|/gm)].map((m) => m[1]);

describe('error catalogue', () => {
  it('documents every code in docs/errors.md, and nothing else', () => {
    const codes = [...Object.keys(ErrorCodes), ...Object.values(EmulatorErrorCode)];
    expect([...documented].sort()).toEqual(codes.sort());
  });
});
