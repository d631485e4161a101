import type { Clock } from '../clock.js';
import type { KernelConfig } from '../config/config-schema.js';
import { LarkConnection, type ConnectionStatus, type EventSink } from '../connection.js';
import type { LarkAppSettings } from '../lark-client.js';
import type { Logger } from '../logger.js';
import { WebhookReceiver } from './webhook-receiver.js';

export type TransportMode = 'long-connection' | 'webhook';

/**
 * Webhook listener states:
 *   off --transport: webhook, at start--> listening   (reason 'configured')
 *   off --long connection not ready for webhook.fallbackAfterMs--> listening  (reason 'fallback')
 *   off --bind fails--> failed --still down fallbackAfterMs after a reconnect attempt--> listening
 * A fallback listener stays up when the long connection returns: the console may still point
 * at it, and claims keep an event from being handled twice whichever way it comes.
 */
export type WebhookState = 'off' | 'listening' | 'failed';

export interface TransportStatus {
  mode: TransportMode;
  fallbackToWebhook: boolean;
  webhook: {
    state: WebhookState;
    reason?: 'configured' | 'fallback';
    url?: string;
    since?: number;
    lastError?: string;
  };
  /** What the operator has to do in the developer console, if anything. */
  notice?: string;
}

export interface TransportInit {
  config: KernelConfig;
  app: LarkAppSettings;
  sink: EventSink;
  logger: Logger;
  clock: Clock;
}

/** Opens the configured transport and, on a long outage, the webhook fallback beside it. */
export class TransportManager {
  private connectionRef: LarkConnection | undefined;
  private readonly receiver: WebhookReceiver | undefined;
  private readonly fallbackEnabled: boolean;
  private fallbackTimer: NodeJS.Timeout | undefined;
  private webhook: TransportStatus['webhook'] = { state: 'off' };
  private notice: string | undefined;
  private stopped = false;

  constructor(private readonly init: TransportInit) {
    const { config } = init;
    const verificationToken = config.webhook.verificationToken ?? config.app.verificationToken;
    this.fallbackEnabled = config.transport === 'long-connection'
      && (config.fallbackToWebhook ?? verificationToken !== undefined);
    if (verificationToken !== undefined) {
      this.receiver = new WebhookReceiver({
        ...config.webhook,
        security: {
          verificationToken,
          encryptKey: config.webhook.encryptKey,
          maxClockSkewSeconds: config.webhook.maxClockSkewSeconds,
        },
      }, init.sink, init.logger.child({ component: 'webhook' }), init.clock);
    }
  }

  /** The long connection; undefined with transport: webhook. */
  get connection(): LarkConnection | undefined {
    return this.connectionRef;
  }

  async start(): Promise<void> {
    const { config, logger } = this.init;
    if (config.transport === 'webhook') {
      await this.startListener('configured');
      return;
    }
    if (!this.fallbackEnabled) {
      logger.info('webhook fallback off: set webhook.verificationToken to enable it');
    }
    const connection = new LarkConnection(this.init.app, this.init.sink,
      logger.child({ component: 'connection' }), config.connection);
    this.connectionRef = connection;
    connection.on('status', (status) => this.watch(status));
    connection.start();
  }

  status(): TransportStatus {
    return {
      mode: this.init.config.transport,
      fallbackToWebhook: this.fallbackEnabled,
      webhook: { ...this.webhook },
      ...(this.notice !== undefined && { notice: this.notice }),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.fallbackTimer);
    await this.connectionRef?.close();
    await this.receiver?.close();
  }

  /** Arms the fallback when the long connection leaves `ready`, disarms it when it returns. */
  private watch(status: ConnectionStatus): void {
    if (!this.fallbackEnabled || this.stopped) return;
    if (status.state === 'ready' || status.state === 'closed') {
      clearTimeout(this.fallbackTimer);
      this.fallbackTimer = undefined;
      if (status.state === 'ready') this.noteConnectionBack();
      return;
    }
    if (this.fallbackTimer || this.webhook.state === 'listening') return;
    const afterMs = this.init.config.webhook.fallbackAfterMs;
    this.fallbackTimer = setTimeout(() => {
      this.fallbackTimer = undefined;
      void this.startListener('fallback', afterMs);
    }, afterMs);
    this.fallbackTimer.unref();
  }

  private async startListener(reason: 'configured' | 'fallback', downForMs?: number) {
    const receiver = this.receiver!;
    try {
      await receiver.listen();
    } catch (err) {
      this.webhook = { state: 'failed', reason, lastError: (err as Error).message };
      if (reason === 'configured') throw err;
      this.init.logger.error({ err }, 'webhook fallback could not start');
      return;
    }
    this.webhook = { state: 'listening', reason, url: receiver.url, since: this.init.clock.now() };
    if (reason === 'configured') {
      this.notice = `the console's request URL must be ${receiver.url}`;
      return;
    }
    this.notice = `long connection down: point the console's request URL to ${receiver.url}`;
    this.init.logger.warn({ appId: this.init.app.appId, url: receiver.url, durationMs: downForMs },
      'long connection down; webhook fallback listening, point the console request url to it');
  }

  private noteConnectionBack(): void {
    if (this.webhook.state !== 'listening') return;
    this.notice = 'long connection ready again; the webhook fallback stays up at ' +
      `${this.webhook.url} until restart, either subscription mode works`;
    this.init.logger.info({ appId: this.init.app.appId, url: this.webhook.url },
      'long connection back; webhook fallback stays up');
  }
}
