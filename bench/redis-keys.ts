import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createClient } from '@keyv/redis';

/** A key prefix no one else uses: the bench deletes exactly the keys under it afterwards. */
export function uniqueRedisPrefix(): string {
  return `lark-bench-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Deletes every key that starts with `prefix:`; returns how many went. */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  if (!/^lark-bench-\d+-[0-9a-f]{12}$/.test(prefix)) {
    throw new Error(`refusing to delete keys under "${prefix}": not a bench prefix`);
  }
  const client = createClient({ url });
  await client.connect();
  let deleted = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
      if (keys.length > 0) deleted += await client.unlink(keys);
    }
  } finally {
    client.destroy();
  }
  return deleted;
}

/** True when something accepts TCP connections at the URL's host and port. */
export function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
