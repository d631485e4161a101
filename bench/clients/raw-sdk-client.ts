import * as lark from '@larksuiteoapi/node-sdk';
import { benchWorkload } from '../handler-probe.js';
import { BENCH_APP, type BenchClient, type ClientSettings } from './bench-client.js';

const ignore = (): void => {};
const silent = { error: ignore, warn: ignore, info: ignore, debug: ignore, trace: ignore };

/**
 * What a user would write without the kernel: the SDK's WSClient and EventDispatcher with the
 * same handler. The SDK awaits the handler before it sends the ACK.
 */
export async function startRawSdkClient(settings: ClientSettings): Promise<BenchClient> {
  const eventDispatcher = new lark.EventDispatcher({
    logger: silent,
    loggerLevel: lark.LoggerLevel.info,
  }).register({
    'im.message.receive_v1': () => benchWorkload(settings.handlerDelayMs),
  });
  const client = new lark.WSClient({
    ...BENCH_APP,
    domain: settings.baseUrl,
    logger: silent,
    loggerLevel: lark.LoggerLevel.info,
  });
  await client.start({ eventDispatcher });
  return {
    side: 'raw',
    stop: async () => {
      client.close({ force: true });
    },
  };
}
