import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import {
  DEFAULT_EMULATOR_APP, startEmulatorProcess, type Emulator,
} from '../../src/emulator/index.js';

async function tenantTokenCode(emu: Emulator, appId: string, appSecret: string) {
  const res = await fetch(`${emu.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_id: appId, app_secret: appSecret }),
  });
  return ((await res.json()) as { code: number }).code;
}

const silent = pino({ level: 'silent' });

describe('emulator process', () => {
  const started: Emulator[] = [];
  afterEach(async () => {
    for (const emu of started.splice(0)) await emu.stop();
  });

  it('serves the default app and prints its base URL', async () => {
    const lines: string[] = [];

    const emu = await startEmulatorProcess({ print: (line) => lines.push(line), logger: silent });
    started.push(emu);

    expect(lines).toEqual([`lark emulator listening on ${emu.baseUrl}`]);
    const { appId, appSecret } = DEFAULT_EMULATOR_APP;
    expect(await tenantTokenCode(emu, appId, appSecret)).toBe(0);
  });

  it('loads apps from a YAML config file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-'));
    const file = join(dir, 'emulator.yaml');
    await writeFile(file, 'apps:\n  - appId: cli_00000000000000aa\n    appSecret: from-yaml\n');

    const emu = await startEmulatorProcess({ configFile: file, print: () => undefined,
      logger: silent });
    started.push(emu);

    expect(await tenantTokenCode(emu, 'cli_00000000000000aa', 'from-yaml')).toBe(0);
  });
});
