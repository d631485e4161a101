import { Emulator } from '../emulator/emulator.js';
import type {
  AckRecord, ApprovalInstanceInput, CardClickInput, EmulatorOptions, UserMessageInput,
} from '../emulator/types.js';
import type { Clock } from '../kernel/clock.js';
import { Kernel } from '../kernel/kernel.js';
import { captureLogs, type CapturedLogs } from './captured-logs.js';
import { noConsentDriver, type ConsentDriver } from './consent.js';
import { buildKitConfig, type KitConfigSource } from './kit-config.js';
import { callbackValues, readSent, type SentByApp } from './sent-by-app.js';
import { TestClock } from './test-clock.js';

export const KIT_APP = { appId: 'cli_7e57000000000001', appSecret: 'test-kit-app-secret' };
export const KIT_BOT = { openId: 'ou_7e57b07000000000000000000000b07', appName: 'Test Bot' };
export const KIT_USER = 'ou_7e57u5e7000000000000000000000001';

export interface TestKitOptions extends KitConfigSource {
  /** The clock the stores and plugins see; a TestClock starting now unless given. */
  clock?: Clock;
  /** Extra emulator options (card frame type, approval codes, ...). */
  emulator?: Partial<EmulatorOptions>;
  app?: { appId: string; appSecret: string };
  bot?: { openId: string; appName: string };
  /** How `consentAsUser` approves an authorization; see ConsentDriver. */
  consent?: ConsentDriver;
  /** Log level of the captured logs (default debug). */
  logLevel?: string;
}

/** A user's message, with defaults: from KIT_USER, in a direct chat `oc_kit_direct`. */
export interface KitMessage extends Partial<Omit<UserMessageInput, 'text'>> {
  text: string;
  /** Mention the bot (a group message's usual form), as placeholder `@_user_1`. */
  mentionBot?: boolean;
}

export type KitCardClick = Partial<CardClickInput>;

/**
 * An in-process platform emulator, an in-memory store and a kernel running the given plugins,
 * connected through the real SDK. Every `send`/`click`/`push` resolves after the kernel has
 * acknowledged the event and every handler it started has finished, so a test reads the
 * outcome right away, without waiting loops.
 */
export class TestKit {
  private constructor(
    readonly emulator: Emulator,
    readonly kernel: Kernel,
    readonly clock: Clock,
    readonly logs: CapturedLogs,
    private readonly consentDriver: ConsentDriver,
    readonly app: { appId: string; appSecret: string },
    readonly bot: { openId: string; appName: string },
  ) {}

  static async start(options: TestKitOptions = {}): Promise<TestKit> {
    const app = options.app ?? KIT_APP;
    const bot = options.bot ?? KIT_BOT;
    const emulator = await Emulator.start({
      apps: [app],
      bot,
      clientConfig: {
        PingInterval: 30, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0,
      },
      ...options.emulator,
    });
    const logs = captureLogs(options.logLevel ?? 'debug', [app.appSecret]);
    const clock = options.clock ?? new TestClock();
    let kernel: Kernel | undefined;
    try {
      const domain = emulator.baseUrl;
      const { config, baseDir, inlinePlugins } = buildKitConfig(options, { ...app, domain });
      kernel = new Kernel({
        config, app: { ...app, domain }, logger: logs.logger, baseDir, clock, inlinePlugins,
      });
      await kernel.start();
      await kernel.connection.ready();
      await emulator.waitForConnections(1, { appId: app.appId });
      const consent = options.consent ?? noConsentDriver;
      return new TestKit(emulator, kernel, clock, logs, consent, app, bot);
    } catch (err) {
      await kernel?.stop();
      await emulator.stop();
      throw err;
    }
  }

  /**
   * Typed event factories with the kit's defaults (user, chats), for `push`: push the same
   * payload twice to see deduplication, or change a field first.
   */
  readonly build = {
    message: (message: KitMessage): object =>
      this.emulator.buildMessageEvent(this.messageInput(message)),
    cardAction: (click: KitCardClick = {}): object =>
      this.emulator.buildCardAction(this.clickInput(click)),
    approvalInstance: (input: ApprovalInstanceInput): object =>
      this.emulator.buildApprovalInstanceEvent(input),
  };

  /** A user writes to the bot; resolves once the plugins have handled it. */
  async sendMessage(message: KitMessage): Promise<AckRecord> {
    return this.settle(this.emulator.sendUserMessage(this.messageInput(message)));
  }

  /** A user clicks a card; resolves with the callback answer the user's client received. */
  async clickCard(click: KitCardClick = {}): Promise<unknown> {
    const { response } = await this.settle(this.emulator.clickCard(this.clickInput(click)));
    return response;
  }

  /**
   * A user clicks a button of a card the app sent: the `index`-th callback button (JSON 2.0
   * `behaviors` or 1.0 `value`), with that button's value, on that message.
   */
  async clickButton(message: SentByApp, index = 0, operatorOpenId = KIT_USER): Promise<unknown> {
    const card = message.updates.at(-1) ?? message.card;
    const values = callbackValues(card);
    if (index >= values.length) {
      throw new RangeError(`message ${message.messageId} has ${values.length} callback ` +
        `button(s); there is no button ${index}`);
    }
    return this.clickCard({ operatorOpenId, messageId: message.messageId,
      chatId: message.chatId, value: values[index] });
  }

  /** An approval instance changes status (1.0 `approval_instance` unless `schema: '2.0'`). */
  approvalChanged(input: ApprovalInstanceInput): Promise<AckRecord> {
    return this.settle(this.emulator.approvalInstanceChanged(input));
  }

  /** Pushes any payload (build one with `kit.emulator.build*` or by hand). */
  push(payload: object): Promise<AckRecord> {
    return this.settle(this.emulator.pushEvent(payload));
  }

  /** Lets `openId` consent to the authorization the app asked for, through the driver. */
  async consentAsUser(openId = KIT_USER): Promise<void> {
    const card = this.sent().filter((m) => m.receiveId === openId && m.card).at(-1);
    await this.consentDriver.consent({ openId, card });
    await this.settled();
  }

  /** What the app sent so far, oldest first, with content parsed. */
  sent(filter: { chatId?: string } = {}): SentByApp[] {
    return this.emulator.sentMessages(filter).map(readSent);
  }

  /** The last thing the app sent to that chat (or at all); fails the test when there is none. */
  lastSent(chatId?: string): SentByApp {
    const last = this.sent({ chatId }).at(-1);
    if (!last) throw new Error(`the app sent nothing${chatId ? ` to ${chatId}` : ''}`);
    return last;
  }

  /** For work a plugin does outside event handlers (timers, polls). */
  async waitForSent(predicate: (m: SentByApp) => boolean, timeoutMs = 5000): Promise<SentByApp> {
    return readSent(await this.emulator.waitForMessage((m) => predicate(readSent(m)), timeoutMs));
  }

  /** Resolves when every handler the kernel has started has finished. */
  async settled(): Promise<void> {
    await this.kernel.dispatcher.idle();
  }

  async stop(): Promise<void> {
    try {
      await this.kernel.stop();
    } finally {
      await this.emulator.stop();
    }
  }

  private async settle<T>(delivery: Promise<T>): Promise<T> {
    const result = await delivery;
    await this.settled();
    return result;
  }

  private clickInput(click: KitCardClick): CardClickInput {
    return {
      operatorOpenId: KIT_USER, messageId: 'om_kit_card', chatId: 'oc_kit_direct', ...click,
    };
  }

  private messageInput(message: KitMessage): UserMessageInput {
    const { mentionBot, ...input } = message;
    const mentions = [
      ...(mentionBot ? [{ openId: this.bot.openId, name: this.bot.appName }] : []),
      ...(input.mentions ?? []),
    ];
    return {
      chatId: input.chatType === 'group' ? 'oc_kit_group' : 'oc_kit_direct',
      chatType: 'p2p',
      senderOpenId: KIT_USER,
      ...input,
      // The emulator turns each mention into an `@_user_N` placeholder, the bot's first.
      mentions,
    };
  }
}

/** Starts a TestKit: `const kit = await startTestKit({ plugins: [myPlugin] })`. */
export function startTestKit(options: TestKitOptions = {}): Promise<TestKit> {
  return TestKit.start(options);
}
