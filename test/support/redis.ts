import net from 'node:net';
import { describe } from 'vitest';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function probe(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const available = await probe(REDIS_URL);
const inCi = process.env.CI === 'true' || process.env.CI === '1';

if (!available && !inCi) {
  process.stderr.write(
    `\n[redis] no Redis at ${REDIS_URL}: Redis tests are SKIPPED on this machine. ` +
      'Start one (redis-server --port 6379) to run them; in CI they fail instead.\n\n',
  );
}

/**
 * `describe` for tests that need a real Redis. In CI a missing Redis fails these tests; on a
 * laptop without one they are skipped, and the run says so.
 */
export const describeWithRedis: typeof describe =
  available || inCi ? describe : (describe.skip as typeof describe);
