import { Emulator } from '../emulator/index.js';
import type { SentMessage } from '../emulator/types.js';
import type { KernelConfig } from './config/config-schema.js';
import { startAuthorizationDemo } from './demo-authorization.js';
import type { LarkAppSettings } from './lark-client.js';
import type { Logger } from './logger.js';

export const EMBEDDED_APP = { appId: 'cli_0000000000000001', appSecret: 'emulator-secret' };
export const EMBEDDED_BOT = { openId: 'ou_0000000000000000000000000000b07', appName: 'Lark Service' };

export interface EmbeddedEmulator {
  emulator: Emulator;
  app: LarkAppSettings;
  stop(): Promise<void>;
}

/**
 * Runs the platform emulator in this process and points the app at it, so the kernel runs
 * with no tenant and no credentials. Optional demo traffic makes events visible in the log.
 */
export async function startEmbeddedEmulator(
  config: KernelConfig,
  logger: Logger,
): Promise<EmbeddedEmulator> {
  const app = {
    appId: config.app.appId ?? EMBEDDED_APP.appId,
    appSecret: config.app.appSecret ?? EMBEDDED_APP.appSecret,
  };
  const emulator = await Emulator.start({
    port: config.emulator.port,
    apps: [app],
    bot: EMBEDDED_BOT,
    logger: logger.child({ component: 'emulator' }),
  });
  logger.info({ baseUrl: emulator.baseUrl, appId: app.appId }, 'embedded emulator listening');
  const demo = config.emulator.demoTraffic
    ? startDemoTraffic(emulator, app.appId, config.emulator.demoTraffic.intervalMs, logger)
    : undefined;
  const authDemo = config.emulator.demoTraffic
    ? startAuthorizationDemo(emulator, DEMO_USER, logger.child({ component: 'demo-user' }))
    : undefined;
  return {
    emulator,
    app: { ...app, domain: emulator.baseUrl },
    stop: async () => {
      demo?.stop();
      authDemo?.stop();
      await emulator.stop();
    },
  };
}

const DEMO_USER = 'ou_00000000000000000000000000d3m0';
const DEMO_SCRIPT = [
  { chatId: 'oc_demo_direct', chatType: 'p2p', text: 'hello', mention: false },
  { chatId: 'oc_demo_group', chatType: 'group', text: '/help', mention: true },
  { chatId: 'oc_demo_group', chatType: 'group', text: 'lunch at noon?', mention: false },
  // Needs the user's authorization (auth-demo plugin): a card, a click, consent, a token.
  { chatId: 'oc_demo_direct', chatType: 'p2p', text: '/calendar', mention: false },
] as const;

/** A synthetic user who keeps talking to the bot, so `npm start` shows events flowing. */
function startDemoTraffic(emulator: Emulator, appId: string, intervalMs: number, logger: Logger) {
  let step = 0;
  const onBotMessage = (message: SentMessage) =>
    logger.info({ chatId: message.chatId, text: demoText(message.content) }, 'bot answered the demo user');
  emulator.on('message', onBotMessage);
  const timer = setInterval(() => {
    const line = DEMO_SCRIPT[step++ % DEMO_SCRIPT.length]!;
    const mentions = line.mention ? [{ openId: EMBEDDED_BOT.openId, name: EMBEDDED_BOT.appName }] : [];
    const text = line.mention ? `@_user_1 ${line.text}` : line.text;
    logger.info(
      { chatType: line.chatType, text: line.text, mentionsBot: line.mention },
      'demo user sends a message',
    );
    emulator
      .sendUserMessage({ appId, chatId: line.chatId, chatType: line.chatType, senderOpenId: DEMO_USER, text, mentions })
      .catch((err: unknown) => logger.warn({ err }, 'demo message not delivered'));
  }, intervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      emulator.off('message', onBotMessage);
    },
  };
}

function demoText(content: string): string | undefined {
  try {
    return (JSON.parse(content) as { text?: string }).text;
  } catch {
    return undefined;
  }
}
