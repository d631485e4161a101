import { withTimeout } from './dispatch/timeout.js';
import type { LarkClient } from './lark-client.js';
import type { Logger } from './logger.js';

const CHECK_TIMEOUT_MS = 3_000;

/**
 * Before connecting, asks the platform how many long connections the app already holds
 * (`online_instance_cnt`). The platform hands each event to one random connection, so another
 * holder takes a share of the events: expected between instances sharing a Redis store, a
 * silent loss otherwise (a forgotten staging copy, an old client never closed). Failing to ask
 * never stops the start.
 */
export async function checkOtherConnections(
  lark: LarkClient,
  appId: string,
  sharedStore: boolean,
  logger: Logger,
): Promise<number | undefined> {
  let count: number | undefined;
  try {
    const reply = await withTimeout(
      lark.request({ method: 'GET', url: '/open-apis/event/v1/connection' }),
      CHECK_TIMEOUT_MS,
    ) as { code?: number; data?: { online_instance_cnt?: unknown } };
    const value = reply?.data?.online_instance_cnt;
    if (reply?.code === 0 && typeof value === 'number') count = value;
  } catch (err) {
    logger.debug({ appId, err }, 'live connection count unavailable');
    return undefined;
  }
  if (!count) return count;
  if (sharedStore) {
    logger.info({ appId, liveConnections: count }, 'other instances hold connections for this app');
  } else {
    logger.warn({ appId, liveConnections: count },
      'the app already has live long connections: the platform will give them a share of the ' +
      'events, and this instance shares no claims with them; stop the other clients or ' +
      'configure store.type redis for every instance');
  }
  return count;
}
