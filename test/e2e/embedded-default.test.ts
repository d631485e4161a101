import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

import { startService, type RunningService } from '../../src/kernel/bootstrap.js';
import type { StoreConfig } from '../../src/kernel/config/config-schema.js';
import { loadConfigFile } from '../../src/kernel/config/config-loader.js';
import { captureLogs, type CapturedLogs } from '../support/memory-logger.js';

const defaultYaml = path.join(path.dirname(fileURLToPath(import.meta.url)),
  '../../config/default.yaml');

let service: RunningService | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Runs config/default.yaml on `store` with a brisk demo until the demo user has authorized. */
async function runDemoUntilAuthorized(store: StoreConfig): Promise<CapturedLogs> {
  const loaded = await loadConfigFile(defaultYaml, { LOG_LEVEL: 'info', LOG_PRETTY: 'false' });
  loaded.config.store = store;
  loaded.config.emulator.demoTraffic = { intervalMs: 150 };
  const logs = captureLogs('info');
  service = await startService(loaded, logs.logger);
  const messages = () => logs.lines().map((line) => line['msg']);
  await vi.waitFor(() => expect(messages()).toContain('user token stored'),
    { timeout: 15_000, interval: 100 });
  await vi.waitFor(() => expect(logs.lines()).toContainEqual(expect.objectContaining({
    msg: 'authorization card updated', state: 'completed' })), { timeout: 5_000 });
  return logs;
}

describe('the embedded default (npm start)', () => {
  it('shows a demo user authorizing: card, click, consent, card updated, token stored',
    async () => {
      const logs = await runDemoUntilAuthorized({ type: 'memory', prefix: `embedded-${Date.now()}` });

      const messages = logs.lines().map((line) => line['msg']);
      expect(messages).toEqual(expect.arrayContaining(['authorization card sent',
        'demo user clicks Authorize on the card', 'demo user consents on the authorization page']));
      const grants = service!.embedded!.emulator.oauth.deviceGrants();
      const log = logs.text();
      for (const grant of grants) expect(log).not.toContain(grant.deviceCode);
      expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
      // The logger scrubs token shapes; nothing should even have tried to log one.
      expect(log).not.toContain('[redacted]');
    }, 30_000);

  it('runs the demo again on the data a previous run left, warning only about the old card',
    async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'lark-embedded-'));
      const store: StoreConfig = { type: 'sqlite', path: path.join(dataDir, 'demo.db'), prefix: 'p' };
      await runDemoUntilAuthorized(store);
      await service!.stop();
      service = undefined;

      const second = await runDemoUntilAuthorized(store);

      const troubles = () => second.lines()
        .filter((line) => ['warn', 'error', 'fatal'].includes(String(line['level'])))
        .map((line) => line['msg']);
      // The previous run's card lived on that run's emulator; replacing it there cannot work.
      // That PATCH follows the new grant, so it may fail after the new card was updated.
      await vi.waitFor(() => expect(troubles()).toContain('authorization card not updated'),
        { timeout: 10_000, interval: 100 });
      expect(troubles()).toEqual([expect.stringMatching(/^no encryptionKey set/),
        'authorization card not updated']);
      const cardUpdateFailure = second.text();
      expect(cardUpdateFailure).not.toContain('"config"');
    }, 60_000);
});
