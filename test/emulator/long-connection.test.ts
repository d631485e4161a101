import { WebSocket } from 'ws';
import { describe, expect, it, vi } from 'vitest';

import type { ConnectionInfo, Emulator } from '../../src/emulator/index.js';
import { FAST_CLIENT_CONFIG, useEmulatorHarness, type TestApp } from './sdk-harness.js';

/** Discovery done by hand, to look at what the platform hands out. */
async function discover(emu: Emulator, app: TestApp): Promise<{ URL: string }> {
  const res = await fetch(`${emu.baseUrl}/callback/ws/endpoint`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ AppID: app.appId, AppSecret: app.appSecret }),
  });
  const body = (await res.json()) as { data: { URL: string } };
  return body.data;
}

/** Opens a raw socket; resolves 'open' or the refused handshake's status and headers. */
function openRaw(url: string): Promise<'open' | { status: number; headers: object }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.on('open', () => {
      socket.terminate();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      socket.terminate();
    });
    socket.on('error', () => undefined);
  });
}

function nextReady(emu: Emulator): Promise<ConnectionInfo> {
  return new Promise((resolve) => emu.once('connection-ready', resolve));
}

describe('long connection', () => {
  const h = useEmulatorHarness();

  it('lets the stock SDK discover the endpoint and connect', async () => {
    const { emu, app } = await h.startEmulator();
    const ready = new Promise<void>((resolve) => {
      h.startSdk(emu, app, {}, { onReady: resolve });
    });

    await ready;

    expect(emu.connections(app.appId)).toHaveLength(1);
  });

  it('hands out a URL whose service_id is not the first query parameter', async () => {
    const { emu, app } = await h.startEmulator();

    const { URL: url } = await discover(emu, app);

    const query = url.split('?')[1] ?? '';
    expect(query.split('&')[0]).toBe('fpid=1');
    expect(query).toMatch(/&service_id=\d+&/);
  });

  it('refuses a second upgrade with the same one-time ticket', async () => {
    const { emu, app } = await h.startEmulator();
    const { URL: url } = await discover(emu, app);

    expect(await openRaw(url)).toBe('open');
    const second = await openRaw(url);

    expect(second).toMatchObject({ headers: { 'handshake-status': '514' } });
  });

  it('refuses connections over the per-app limit with 514 / 1000040350', async () => {
    const { emu, app } = await h.startEmulator({ maxConnectionsPerApp: 1 });
    await h.connectSdk(emu, app, {});

    const refused = await openRaw((await discover(emu, app)).URL);

    expect(refused).toMatchObject({
      headers: { 'handshake-status': '514', 'handshake-autherrcode': '1000040350' },
    });
  });

  it('sends the ClientConfig in every pong, and the SDK applies it', async () => {
    const { emu, app } = await h.startEmulator();
    const pongConfig = { PingInterval: 7, ReconnectCount: 3, ReconnectInterval: 5,
      ReconnectNonce: 0 };
    // Changed after discovery, so only the pong can carry it to the client.
    emu.once('connection', () => emu.setClientConfig(pongConfig));

    const client = await h.connectSdk(emu, app, {});

    // The SDK has no public getter for its applied config.
    const applied = () => (client as unknown as { wsConfig: { getWS(): object } }).wsConfig.getWS();
    await vi.waitFor(() => expect(applied()).toMatchObject({
      pingInterval: 7000, reconnectCount: 3, reconnectInterval: 5000, reconnectNonce: 0,
    }));
  });

  it('answers wrong credentials with a non-retryable code, so the SDK calls onError', async () => {
    const { emu, app } = await h.startEmulator();

    const error = await new Promise<Error>((resolve) => {
      h.startSdk(emu, { ...app, appSecret: 'wrong' }, {}, { onError: resolve });
    });

    expect(error.message).toContain('code=514');
  });

  it('lets a scripted discovery code reach the SDK unchanged', async () => {
    const { emu, app } = await h.startEmulator();
    emu.failEndpoint({ code: 10003, msg: 'app not found' });

    const error = await new Promise<Error>((resolve) => {
      h.startSdk(emu, app, {}, { onError: resolve });
    });

    expect(error.message).toContain('code=10003');
  });

  it('drops connections so that the SDK reconnects', async () => {
    const { emu, app } = await h.startEmulator({ clientConfig: FAST_CLIENT_CONFIG });
    const reconnected = new Promise<void>((resolve) => {
      h.startSdk(emu, app, {}, { onReconnected: resolve });
    });
    await emu.waitForConnections(1, { appId: app.appId });

    expect(emu.dropConnections(app.appId)).toBe(1);
    await reconnected;

    expect(emu.connections(app.appId)).toHaveLength(1);
  });

  it('keeps the SDK away while refusing, and lets it back in afterwards', async () => {
    const { emu, app } = await h.startEmulator({ clientConfig: FAST_CLIENT_CONFIG });
    await h.connectSdk(emu, app, {});
    emu.refuseConnections(true);
    const refusedDiscovery = new Promise<void>((resolve) => emu.once('request', () => resolve()));

    emu.dropConnections(app.appId);
    await refusedDiscovery;
    expect(emu.connections(app.appId)).toHaveLength(0);
    emu.refuseConnections(false);

    await emu.waitForConnections(1, { appId: app.appId });
  });

  it('freezes a connection so that an SDK with pingTimeout replaces it', async () => {
    const clientConfig = { ...FAST_CLIENT_CONFIG, PingInterval: 1 };
    const { emu, app } = await h.startEmulator({ clientConfig });
    await h.connectSdk(emu, app, {}, { wsConfig: { pingTimeout: 1 } });
    const [frozen] = emu.connections(app.appId);
    const replacement = nextReady(emu);

    emu.freezeConnections(app.appId);

    expect((await replacement).id).not.toBe(frozen?.id);
  });
});
