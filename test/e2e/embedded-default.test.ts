import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it, vi } from 'vitest';

import { startService, type RunningService } from '../../src/kernel/bootstrap.js';
import { loadConfigFile } from '../../src/kernel/config/config-loader.js';
import { captureLogs } from '../support/memory-logger.js';

const defaultYaml = path.join(path.dirname(fileURLToPath(import.meta.url)),
  '../../config/default.yaml');

let service: RunningService | undefined;
afterAll(async () => {
  await service?.stop();
});

describe('the embedded default (npm start)', () => {
  it('shows a demo user authorizing: card, click, consent, card updated, token stored',
    async () => {
      const loaded = await loadConfigFile(defaultYaml, { LOG_LEVEL: 'info', LOG_PRETTY: 'false' });
      // Same plugins and emulator; an in-memory store and a brisk demo keep the test fast.
      loaded.config.store = { type: 'memory', prefix: `embedded-${Date.now()}` };
      loaded.config.emulator.demoTraffic = { intervalMs: 150 };
      const logs = captureLogs('info');
      service = await startService(loaded, logs.logger);

      const messages = () => logs.lines().map((line) => line['msg']);
      await vi.waitFor(() => expect(messages()).toContain('user token stored'),
        { timeout: 15_000, interval: 100 });
      await vi.waitFor(() => expect(logs.lines()).toContainEqual(expect.objectContaining({
        msg: 'authorization card updated', state: 'completed' })), { timeout: 5_000 });

      expect(messages()).toEqual(expect.arrayContaining(['authorization card sent',
        'demo user clicks Authorize on the card', 'demo user consents on the authorization page']));
      const grants = service.embedded!.emulator.oauth.deviceGrants();
      const log = logs.text();
      for (const grant of grants) expect(log).not.toContain(grant.deviceCode);
      expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
      // The logger scrubs token shapes; nothing should even have tried to log one.
      expect(log).not.toContain('[redacted]');
    }, 30_000);
});
