import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Readiness } from '../../src/kernel/ops/readiness.js';
import { APP, startHarness, type Harness } from '../support/kernel-harness.js';
import { sampleValue } from '../support/prometheus-text.js';

const yaml = `
app: { appId: "\${APP_ID}", appSecret: "\${APP_SECRET}", domain: "\${DOMAIN}" }
store: { type: memory }
ops: { enabled: true, port: 0 }
connection: { backoff: { initialMs: 50, maxMs: 200 } }
plugins:
  - use: group-message
  - use: ../plugins/recorder.ts
    id: recorder-a
    options: { eventTypes: [im.chat.member.bot.added_v1] }
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness(yaml);
});
afterAll(async () => {
  await h?.stop();
});

async function readyz(): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${h.kernel.opsUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

describe('operations listener', () => {
  it('answers /healthz while the process is alive', async () => {
    const response = await fetch(`${h.kernel.opsUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'alive' });
  });

  it('listens on loopback by default', () => {
    expect(h.kernel.opsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers /readyz 200 with the connection, the store and each plugin state', async () => {
    const { status, body } = await readyz();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      ready: true,
      connection: { state: 'ready', attempts: 0 },
      store: { ok: true },
      plugins: [
        { id: 'group-message', name: 'group-message', state: 'started' },
        { id: 'recorder-a', name: 'recorder', state: 'started' },
      ],
    });
  });

  it('turns /readyz 503 while the platform refuses connections, and 200 again after', async () => {
    h.emulator.refuseConnections(true);
    h.emulator.dropConnections(APP.appId);
    await vi.waitFor(async () => {
      const { status, body } = await readyz();
      expect(status).toBe(503);
      expect(body.ready).toBe(false);
      expect(body.connection.state).toBe('reconnecting');
    }, { timeout: 10_000 });

    h.emulator.refuseConnections(false);
    await vi.waitFor(async () => {
      const { status, body } = await readyz();
      expect(status).toBe(200);
      expect(body.connection.state).toBe('ready');
    }, { timeout: 15_000 });
    const metrics = await (await fetch(`${h.kernel.opsUrl}/metrics`)).text();
    const reconnects = sampleValue(metrics, 'lark_service_connection_reconnects_total');
    expect(reconnects).toBeGreaterThanOrEqual(1);
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    expect((await fetch(`${h.kernel.opsUrl}/status`)).status).toBe(404);
    expect((await fetch(`${h.kernel.opsUrl}/readyz`, { method: 'POST' })).status).toBe(405);
  });
});
