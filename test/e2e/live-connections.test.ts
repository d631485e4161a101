import { afterEach, describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulator/index.js';
import { parseConfigText } from '../../src/kernel/config/config-loader.js';
import { LarkConnection } from '../../src/kernel/connection.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { captureLogs } from '../support/memory-logger.js';
import { describeWithRedis, REDIS_URL } from '../support/redis.js';

const APP = { appId: 'cli_b0b0b0b0b0b0b0b0', appSecret: 'live-connections-secret' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function kernelAgainst(emulator: Emulator, store = '{ type: memory }') {
  const yaml = `app: { appId: ${APP.appId}, appSecret: ${APP.appSecret} }\n` +
    `store: ${store}\n`;
  const { config } = parseConfigText(yaml, {});
  const logs = captureLogs('debug', [APP.appSecret]);
  const app = { ...APP, domain: emulator.baseUrl };
  const kernel = new Kernel({ config, app, logger: logs.logger });
  cleanups.push(() => kernel.stop());
  await kernel.start();
  await kernel.connection.ready();
  return logs;
}

async function strayConnection(emulator: Emulator): Promise<void> {
  const { logger } = captureLogs();
  const stray = new LarkConnection({ ...APP, domain: emulator.baseUrl },
    { invoke: async () => undefined }, logger,
    { pingTimeoutSeconds: 10, handshakeTimeoutMs: 2_000, backoff: { initialMs: 50, maxMs: 200 } });
  cleanups.push(() => stray.close());
  stray.start();
  await stray.ready();
}

const liveConnectionLine = (logs: ReturnType<typeof captureLogs>) =>
  logs.lines().find((line) => line.liveConnections !== undefined);

describeWithRedis('other live connections at start, with a shared Redis', () => {
  const redisStore = () =>
    `{ type: redis, url: "${REDIS_URL}", prefix: "live-${process.pid}-${Date.now()}" }`;

  it('counts an instance of the same deployment as a peer, not a stray', async () => {
    const emulator = await Emulator.start({ apps: [APP] });
    cleanups.push(() => emulator.stop());
    const store = redisStore();
    await kernelAgainst(emulator, store);

    const second = await kernelAgainst(emulator, store);

    expect(liveConnectionLine(second)).toMatchObject({ level: 'info', liveConnections: 1,
      peers: 1 });
  });

  it('warns about a connection that is not an instance of the deployment', async () => {
    const emulator = await Emulator.start({ apps: [APP] });
    cleanups.push(() => emulator.stop());
    await strayConnection(emulator);

    const logs = await kernelAgainst(emulator, redisStore());

    expect(liveConnectionLine(logs)).toMatchObject({ level: 'warn', liveConnections: 1,
      peers: 0 });
  });
});

describe('other live connections at start', () => {
  it('warns when the app already holds a connection and the store is not shared', async () => {
    const emulator = await Emulator.start({ apps: [APP] });
    cleanups.push(() => emulator.stop());
    const { logger } = captureLogs();
    const stray = new LarkConnection({ ...APP, domain: emulator.baseUrl },
      { invoke: async () => undefined }, logger,
      { pingTimeoutSeconds: 10, handshakeTimeoutMs: 2_000,
        backoff: { initialMs: 50, maxMs: 200 } });
    cleanups.push(() => stray.close());
    stray.start();
    await stray.ready();
    const logs = await kernelAgainst(emulator);
    const warning = logs.lines().find((l) => l.liveConnections !== undefined);
    expect(warning).toMatchObject({ level: 'warn', liveConnections: 1, appId: APP.appId });
  });

  it('starts quietly when the app holds no other connection', async () => {
    const emulator = await Emulator.start({ apps: [APP] });
    cleanups.push(() => emulator.stop());
    const logs = await kernelAgainst(emulator);
    expect(logs.lines().some((l) => l.liveConnections !== undefined)).toBe(false);
    expect(emulator.requests({ path: '/open-apis/event/v1/connection' })).toHaveLength(1);
  });
});
