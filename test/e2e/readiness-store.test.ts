import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Readiness } from '../../src/kernel/ops/readiness.js';
import { startHarness, type Harness } from '../support/kernel-harness.js';

/** A Redis of this test's own, on a loopback port, that the test may stop and start. */
const redisServerInstalled = spawnSync('redis-server', ['--version']).status === 0;

let port: number;
let redis: ChildProcess | undefined;
let h: Harness;

async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

function accepts(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function startRedis(): Promise<void> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  redis = spawn('redis-server', args, { stdio: 'ignore' });
  await vi.waitFor(async () => expect(await accepts()).toBe(true), { timeout: 10_000 });
}

async function stopRedis(): Promise<void> {
  const child = redis;
  redis = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function readyz(): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${h.kernel.opsUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

beforeAll(async () => {
  if (!redisServerInstalled) return;
  port = await freeLoopbackPort();
  await startRedis();
  h = await startHarness(`
app: { appId: "\${APP_ID}", appSecret: "\${APP_SECRET}", domain: "\${DOMAIN}" }
store: { type: redis, url: "redis://127.0.0.1:${port}", prefix: "readyz-${randomUUID()}" }
ops: { enabled: true, port: 0, storePingTimeoutMs: 300 }
`);
}, 30_000);

afterAll(async () => {
  await h?.stop();
  await stopRedis();
});

describe.skipIf(!redisServerInstalled)('/readyz and the store', () => {
  it('turns 503, saying the store does not answer, while Redis is down; 200 once back', async () => {
    expect((await readyz()).status).toBe(200);

    await stopRedis();
    await vi.waitFor(async () => {
      const { status, body } = await readyz();
      expect(status).toBe(503);
      expect(body.store.ok).toBe(false);
      expect(body.store.error).toMatch(/timed out|does not answer/);
      expect(body.connection.state).toBe('ready');
    }, { timeout: 10_000 });

    await startRedis();
    await vi.waitFor(async () => {
      const { status, body } = await readyz();
      expect(status).toBe(200);
      expect(body.store).toEqual({ ok: true });
    }, { timeout: 15_000 });
  }, 40_000);
});
