import { createHash } from 'node:crypto';
import type { RedisClientType } from '@keyv/redis';

/** The node-redis v5 client as @keyv/redis creates it (RESP2). */
export type RedisClient = RedisClientType<{}, {}, {}, 2, {}>;

/**
 * Claims and journals a batch of events, each one atomically, and takes the new entries into
 * this consumer's pending list in the same step, so the process that received them handles
 * them from memory instead of reading them back.
 *
 * KEYS: the stream, then every event's claim keys in order. ARGV: claim ttl ms, how many
 * entries to take at most (0: none), group, consumer, then per event its number of claim keys
 * and its JSON. Returns { per event its entry id or 0 (a duplicate: nothing changed for it),
 * how many of the batch's entries were taken, other entries taken on the way as [id, fields] }.
 *
 * XREADGROUP '>' takes the oldest entries no consumer was given yet: normally only this
 * batch's, but entries another writer left untaken come first and are returned for handling.
 * The batch's entries are the newest, so those taken are always its first ones.
 */
export const CLAIM_AND_APPEND = `
local stream, ttl, take = KEYS[1], ARGV[1], tonumber(ARGV[2])
local ids, added, any = {}, {}, false
local k = 2
for a = 5, #ARGV, 2 do
  local n = tonumber(ARGV[a])
  local claimed = true
  for i = k, k + n - 1 do
    if not redis.call('SET', KEYS[i], 'processing', 'NX', 'PX', ttl) then
      for j = k, i - 1 do redis.call('DEL', KEYS[j]) end
      claimed = false
      break
    end
  end
  if claimed then
    local id = redis.call('XADD', stream, '*', 'event', ARGV[a + 1])
    ids[#ids + 1] = id
    added[id] = true
    any = true
  else
    ids[#ids + 1] = 0
  end
  k = k + n
end
local taken, others = 0, {}
if take > 0 and any then
  -- pcall: the events are journaled by now; if taking fails, the read loops will find them.
  local reply = redis.pcall('XREADGROUP', 'GROUP', ARGV[3], ARGV[4], 'COUNT', take,
    'STREAMS', stream, '>')
  if type(reply) == 'table' and reply.err == nil and reply[1] then
    for _, entry in ipairs(reply[1][2]) do
      if added[entry[1]] then taken = taken + 1 else others[#others + 1] = entry end
    end
  end
end
return {ids, taken, others}`;

/**
 * Finishes a batch of entries in one step: writes each key (the events' claims as `done`, the
 * done marks of the plugins that finished last), then XACK and XDEL of every entry.
 *
 * KEYS: the stream, then the keys to write. ARGV: group, number of entries n, the n entry ids,
 * then per key its value and ttl ms.
 */
export const FINISH = `
local stream, group, n = KEYS[1], ARGV[1], tonumber(ARGV[2])
local v = 3 + n
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[v], 'PX', ARGV[v + 1])
  v = v + 2
end
local ids = {unpack(ARGV, 3, 2 + n)}
redis.call('XACK', stream, group, unpack(ids))
redis.call('XDEL', stream, unpack(ids))
return n`;

const digests = new Map<string, string>();

/**
 * Runs a script by its digest, sending its text only when the server does not know it yet
 * (first use, or after a restart or SCRIPT FLUSH): these run for every event.
 */
export async function runScript(
  client: RedisClient,
  script: string,
  options: { keys: string[]; arguments: string[] },
): Promise<unknown> {
  let digest = digests.get(script);
  if (!digest) {
    digest = createHash('sha1').update(script).digest('hex');
    digests.set(script, digest);
  }
  try {
    return await client.evalSha(digest, options);
  } catch (err) {
    if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
    return client.eval(script, options);
  }
}
