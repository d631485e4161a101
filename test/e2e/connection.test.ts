import { afterEach, describe, expect, it, vi } from 'vitest';
import { Emulator } from '../../src/emulator/index.js';
import { LarkConnection, type ConnectionState } from '../../src/kernel/connection.js';
import { captureLogs } from '../support/memory-logger.js';

const APP = { appId: 'cli_c0c0c0c0c0c0c0c0', appSecret: 'connection-test-secret' };
const sink = { invoke: async () => undefined };
const settings = { pingTimeoutSeconds: 1, handshakeTimeoutMs: 2_000, backoff: { initialMs: 50, maxMs: 200 } };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  clientConfig = { PingInterval: 30, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 },
  extra: { silenceRestartSeconds?: number } = {},
) {
  const emulator = await Emulator.start({ apps: [APP], clientConfig });
  cleanups.push(() => emulator.stop());
  const logs = captureLogs('debug', [APP.appSecret]);
  const connection = new LarkConnection({ ...APP, domain: emulator.baseUrl }, sink, logs.logger,
    { ...settings, ...extra });
  cleanups.push(() => connection.close());
  const states: ConnectionState[] = [];
  connection.on('status', (s) => states.push(s.state));
  return { emulator, connection, states, logs };
}

describe('long connection', () => {
  it('reports ready only once the socket is open', async () => {
    const { emulator, connection, states } = await setup();
    connection.start();
    expect(connection.status().state).toBe('connecting');
    await connection.ready();
    expect(emulator.connections(APP.appId)).toHaveLength(1);
    expect(states).toEqual(['connecting', 'ready']);
  });

  it('replaces a silent connection (no pong, nothing inbound)', async () => {
    const { emulator, connection, states } = await setup({
      PingInterval: 1, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0,
    });
    connection.start();
    await connection.ready();
    const first = emulator.connections(APP.appId)[0]!.id;
    emulator.freezeConnections(APP.appId);
    await vi.waitFor(() => expect(states.filter((s) => s === 'ready')).toHaveLength(2), { timeout: 10_000 });
    const live = emulator.connections(APP.appId).filter((c) => !c.frozen);
    expect(live.map((c) => c.id)).not.toContain(first);
  });

  it('replaces a connection that answers pings but carries no event for too long', async () => {
    const { emulator, connection, states, logs } = await setup(
      { PingInterval: 1, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 },
      { silenceRestartSeconds: 1 },
    );
    connection.start();
    await connection.ready();
    const first = emulator.connections(APP.appId)[0]!.id;
    await vi.waitFor(() => expect(states.filter((s) => s === 'ready')).toHaveLength(2), { timeout: 10_000 });
    expect(emulator.connections(APP.appId).map((c) => c.id)).not.toContain(first);
    expect(logs.text()).toContain('no event on the long connection for too long');
  });

  it('starts a fresh client with backoff after the SDK gives up, until it connects', async () => {
    const { emulator, connection } = await setup({
      PingInterval: 30, ReconnectCount: 1, ReconnectInterval: 1, ReconnectNonce: 0,
    });
    connection.start();
    await connection.ready();
    emulator.refuseConnections(true);
    emulator.dropConnections(APP.appId);
    await vi.waitFor(() => expect(connection.status().attempts).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    expect(connection.status()).toMatchObject({ state: 'reconnecting' });
    expect(connection.status().lastError).toBeDefined();
    emulator.refuseConnections(false);
    await connection.ready();
    expect(emulator.connections(APP.appId)).toHaveLength(1);
  });

  it('reconnects on its own backoff when the platform would have the SDK wait 120 s', async () => {
    const { emulator, connection } = await setup({
      PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 0,
    });
    connection.start();
    await connection.ready();
    emulator.refuseConnections(true);
    emulator.dropConnections(APP.appId);
    await vi.waitFor(() => expect(connection.status().attempts).toBeGreaterThanOrEqual(2),
      { timeout: 10_000 });
    expect(connection.status()).toMatchObject({ state: 'reconnecting' });
    expect(connection.status().lastError).toBeDefined();

    emulator.refuseConnections(false);

    // Well inside the SDK's 120 s interval: only the kernel's 200 ms-capped backoff can do it.
    await vi.waitFor(() => expect(connection.status().state).toBe('ready'),
      { timeout: 20_000, interval: 50 });
    expect(emulator.connections(APP.appId)).toHaveLength(1);
  });

  it('stops for good, with a clear error, when the platform refuses the app', async () => {
    const { emulator, connection, logs } = await setup();
    emulator.failEndpoint({ code: 1000040350, msg: 'exceed connection limit' });
    connection.start();
    await expect(connection.ready()).rejects.toThrow(/connection failed/);
    expect(connection.status().state).toBe('failed');
    expect(connection.status().lastError).toContain('maximum of 50 long connections');
    expect(logs.text()).not.toContain(APP.appSecret);
  });

  it('leaves no socket and no reconnect behind after close()', async () => {
    const { emulator, connection } = await setup();
    connection.start();
    await connection.ready();
    for (let i = 0; i < 5; i++) connection.restart('health check');
    await connection.close();
    await connection.close();
    await vi.waitFor(() => expect(emulator.connections(APP.appId)).toHaveLength(0));
    const discoveries = emulator.requests({ path: '/callback/ws/endpoint' }).length;
    expect(discoveries).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(emulator.requests({ path: '/callback/ws/endpoint' })).toHaveLength(discoveries);
    expect(connection.status().state).toBe('closed');
  });
});
