import type { LoadedConfig } from './config/config-loader.js';
import { startEmbeddedEmulator, type EmbeddedEmulator } from './embedded-emulator.js';
import { Kernel } from './kernel.js';
import type { LarkAppSettings } from './lark-client.js';
import { createLogger, type Logger } from './logger.js';

export interface RunningService {
  kernel: Kernel;
  embedded?: EmbeddedEmulator;
  logger: Logger;
  stop(): Promise<void>;
}

/** Starts everything a configuration asks for: the embedded emulator if enabled, then the kernel. */
export async function startService(loaded: LoadedConfig, logger?: Logger): Promise<RunningService> {
  const { config } = loaded;
  const log =
    logger ??
    createLogger({
      level: config.logging.level,
      pretty: config.logging.pretty,
      secrets: [
        config.app.appSecret,
        config.app.verificationToken,
        config.webhook.verificationToken,
        config.webhook.encryptKey,
      ].filter((secret): secret is string => secret !== undefined),
    });
  const embedded = config.emulator.enabled ? await startEmbeddedEmulator(config, log) : undefined;
  const app: LarkAppSettings = embedded?.app ?? {
    appId: config.app.appId!,
    appSecret: config.app.appSecret!,
    domain: config.app.domain,
  };
  const kernel = new Kernel({ config, app, logger: log, baseDir: loaded.baseDir });
  try {
    log.info({ appId: app.appId, plugins: config.plugins.length, store: config.store.type }, 'kernel starting');
    await kernel.start();
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return {
    kernel,
    embedded,
    logger: log,
    stop: async () => {
      await kernel.stop();
      await embedded?.stop();
    },
  };
}
