import { withTimeout } from './dispatch/timeout.js';
import type { LarkClient } from './lark-client.js';
import type { Logger } from './logger.js';

const CHECK_TIMEOUT_MS = 3_000;

/**
 * Before connecting, asks the platform how many long connections the app already holds
 * (`online_instance_cnt`). The platform hands each event to one random connection, so another
 * holder takes a share of the events: expected from instances of this deployment (they share
 * the Redis journal, and `activePeers` counts them), a silent loss otherwise (a forgotten
 * staging copy, an old client never closed, an instance with another plugin list and store).
 * Failing to ask never stops the start.
 */
export async function checkOtherConnections(
  lark: LarkClient,
  appId: string,
  activePeers: (() => Promise<number>) | undefined,
  logger: Logger,
): Promise<number | undefined> {
  const count = await liveConnectionCount(lark, appId, logger);
  if (!count) return count;
  const peers = activePeers ? await activePeers().catch(() => undefined) : 0;
  if (peers !== undefined && count > peers) {
    logger.warn({ appId, liveConnections: count, peers },
      'the app has live long connections that are not instances of this deployment: the ' +
      'platform gives them a share of the events, which this deployment never sees; stop ' +
      'the other clients, or give every instance the same store.type redis and plugin list');
  } else {
    logger.info({ appId, liveConnections: count, peers },
      'other instances of this deployment hold connections for this app');
  }
  return count;
}

async function liveConnectionCount(
  lark: LarkClient,
  appId: string,
  logger: Logger,
): Promise<number | undefined> {
  try {
    const reply = await withTimeout(
      lark.request({ method: 'GET', url: '/open-apis/event/v1/connection' }),
      CHECK_TIMEOUT_MS,
    ) as { code?: number; data?: { online_instance_cnt?: unknown } };
    const value = reply?.data?.online_instance_cnt;
    return reply?.code === 0 && typeof value === 'number' ? value : undefined;
  } catch (err) {
    logger.debug({ appId, err }, 'live connection count unavailable');
    return undefined;
  }
}
