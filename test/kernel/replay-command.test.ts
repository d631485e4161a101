import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/kernel/clock.js';
import { replay } from '../../src/kernel/commands/replay.js';
import { KeyvDeadLetterStore } from '../../src/kernel/delivery/dead-letter-store.js';
import { openStorage } from '../../src/kernel/store/storage.js';
import { recorded } from '../fixtures/plugins/recorder.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const recorder = path.join(here, '../fixtures/plugins/recorder.ts');
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function deploymentWithParkedEvent(eventId: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lark-replay-'));
  dirs.push(dir);
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, [
    'app: { appId: cli_a1b2c3d4e5f60718, appSecret: replay-test-secret }',
    'store: { type: sqlite, path: ./lark.db }',
    'logging: { level: silent }',
    'plugins:',
    `  - use: ${JSON.stringify(recorder)}`,
    '    id: audit',
    '    options: { eventTypes: [contact.user.created_v3] }',
  ].join('\n'));
  const storage = await openStorage({ type: 'sqlite', path: './lark.db', prefix: 'lark-service' },
    systemClock, dir);
  await new KeyvDeadLetterStore(storage.namespace('kernel:dead-letter')).park({
    eventId, eventType: 'contact.user.created_v3', plugin: 'audit', attempts: 3,
    error: { message: 'directory service unavailable' }, parkedAt: Date.now(),
    event: { schema: '2.0', eventId, eventType: 'contact.user.created_v3', createdAtMs: Date.now(),
      tenantKey: 'tk_1', appId: 'cli_a1b2c3d4e5f60718', payload: { user: { open_id: 'ou_1' } } },
  });
  await storage.close();
  return file;
}

function output() {
  const chunks: string[] = [];
  return { write: (text: string) => void chunks.push(text), text: () => chunks.join('') };
}

describe('lark-service replay', () => {
  it('lists parked events with their plugin and error', async () => {
    const file = await deploymentWithParkedEvent('evt_parked_list');
    const out = output();
    expect(await replay(['--config', file, '--list'], out)).toBe(0);
    expect(out.text()).toContain('evt_parked_list');
    expect(out.text()).toContain('plugin=audit');
    expect(out.text()).toContain('directory service unavailable');
    expect(out.text()).toContain('1 parked event(s)');
  });

  it('re-runs a parked event through its plugin and removes it from the store', async () => {
    const file = await deploymentWithParkedEvent('evt_parked_rerun');
    const out = output();
    expect(await replay(['--config', file], out)).toBe(0);
    expect(recorded.filter((r) => r.event.eventId === 'evt_parked_rerun').map((r) => r.plugin))
      .toEqual(['audit']);
    const after = output();
    await replay(['--config', file, '--list'], after);
    expect(after.text()).toContain('0 parked event(s)');
  });
});
