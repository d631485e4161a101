import { createClient } from '@keyv/redis';
import { z } from 'zod';
import type { RedisClient } from '../../../src/kernel/delivery/redis-stream-journal.js';
import { definePlugin } from '../../../src/kernel/plugins/plugin-definition.js';

/**
 * The fault suite's plugin. Every run of its handler is recorded with the process id
 * (invocations); the effect itself is applied in one Redis step together with the kernel's done
 * mark, and only if that mark is absent (effects). So effects count what a user would see, and
 * invocations show every time the kernel ran the handler, duplicates included.
 */
const APPLY_EFFECT = `
if redis.call('SET', KEYS[3], 'done', 'NX', 'PX', ARGV[3]) then
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
  return 1
end
return 0`;
const RECORD_INVOCATION = `
local previous = redis.call('HGET', KEYS[1], ARGV[1]) or ''
redis.call('HSET', KEYS[1], ARGV[1], previous .. ARGV[2] .. ',')
return 1`;

const clients = new Map<string, RedisClient>();

export default definePlugin({
  name: 'effect-counter',
  options: z.strictObject({
    redisUrl: z.string(),
    keyPrefix: z.string(),
    eventType: z.string(),
    maxDelayMs: z.number().int().min(0),
  }),
  async start(ctx) {
    const { redisUrl, keyPrefix, eventType, maxDelayMs } = ctx.options;
    const client = createClient({ url: redisUrl });
    client.on('error', () => {});
    await client.connect();
    clients.set(ctx.id, client);
    const invocations = `${keyPrefix}:invocations`;
    const effects = `${keyPrefix}:effects`;
    ctx.on(eventType, async (event, delivery) => {
      await client.eval(RECORD_INVOCATION, {
        keys: [invocations],
        arguments: [event.eventId, String(process.pid)],
      });
      await new Promise((resolve) => setTimeout(resolve, Math.random() * maxDelayMs));
      await client.eval(APPLY_EFFECT, {
        keys: [invocations, effects, delivery.doneKey],
        arguments: [event.eventId, String(process.pid), String(delivery.doneTtlMs)],
      });
    });
  },
  async stop(ctx) {
    clients.get(ctx.id)?.destroy();
    clients.delete(ctx.id);
  },
});
