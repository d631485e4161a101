import { afterEach, describe, expect, it } from 'vitest';

import { Emulator } from '../../../src/emulator/index.js';
import { parseConfigText } from '../../../src/kernel/config/config-loader.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { APP } from '../../support/kernel-harness.js';
import { captureLogs } from '../../support/memory-logger.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.stop();
});

describe('session-manager start-up', () => {
  it('refuses to start without an encryption key outside the embedded emulator', async () => {
    emulator = await Emulator.start({ apps: [APP] });
    const { config } = parseConfigText(`
app: { appId: ${APP.appId}, appSecret: ${APP.appSecret}, domain: "${emulator.baseUrl}" }
plugins:
  - use: session-manager
`);
    const kernel = new Kernel({ config, logger: captureLogs().logger,
      app: { ...APP, domain: emulator.baseUrl } });

    await expect(kernel.start()).rejects.toMatchObject({ code: 'LARK_E_VAULT_KEY_MISSING',
      message: expect.stringContaining('option encryptionKey') });
  });
});
