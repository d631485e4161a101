import { EventEmitter } from 'node:events';
import * as lark from '@larksuiteoapi/node-sdk';
import { backoffDelay, type BackoffSettings } from './backoff.js';
import { LarkServiceError } from './errors.js';
import { sdkDomain, type LarkAppSettings } from './lark-client.js';
import type { Logger } from './logger.js';
import { guardFragments } from './fragment-guard.js';
import { createSdkLogger } from './sdk-logger.js';

/**
 * Connection states:
 *   idle --start--> connecting --socket open--> ready
 *   ready --socket lost--> reconnecting --open--> ready      (a fresh client after the
 *                                                              kernel's backoff, not the SDK's
 *                                                              ClientConfig schedule)
 *   connecting|reconnecting --SDK gives up--> reconnecting    (the same: a fresh client after a
 *                                                              backoff, forever)
 *   any --platform refuses for good (connection limit, bad credentials)--> failed
 *   any --close()--> closed
 * `ready` is only ever set by the SDK's onReady/onReconnected, which fire on a real open.
 */
export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'failed' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Restarts since the last connection that stayed up; 0 while healthy. */
  attempts: number;
  lastError?: string;
  since: number;
}

export interface ConnectionSettings {
  pingTimeoutSeconds: number;
  handshakeTimeoutMs: number;
  backoff: BackoffSettings;
  /** A connection that stays up this long resets the backoff. */
  stableAfterMs?: number;
  /** A ready connection with no data frame for this long is replaced; 0 or absent: never. */
  silenceRestartSeconds?: number;
}

export interface EventSink {
  invoke(body: unknown): Promise<unknown>;
}

// Discovery answers the SDK treats as final. 1 (system busy) is transient on the platform's
// own Go client, so it is retried here too.
const TERMINAL_DISCOVERY = /pullConnectConfig failed: code=(\d+)/;
const CONNECTION_LIMIT = 1000040350;

export class LarkConnection extends EventEmitter<{ status: [ConnectionStatus] }> {
  private client: lark.WSClient | undefined;
  private generation = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private lastDataAt = 0;
  private current: ConnectionStatus = { state: 'idle', attempts: 0, since: Date.now() };

  constructor(
    private readonly app: LarkAppSettings,
    private readonly sink: EventSink,
    private readonly logger: Logger,
    private readonly settings: ConnectionSettings,
  ) {
    super();
  }

  status(): ConnectionStatus {
    return { ...this.current };
  }

  start(): void {
    if (this.current.state === 'closed') throw new Error('connection was closed; create a new one');
    this.openClient();
  }

  /** Resolves on the next real open; rejects if the platform refuses the app for good. */
  ready(): Promise<void> {
    if (this.current.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onStatus = (status: ConnectionStatus) => {
        if (status.state === 'ready') resolve();
        else if (status.state === 'failed' || status.state === 'closed') {
          reject(new Error(`connection ${status.state}: ${status.lastError ?? 'closed'}`));
        } else return;
        this.off('status', onStatus);
      };
      this.on('status', onStatus);
    });
  }

  /** Drops the current client and connects afresh (at most one pending restart). */
  restart(reason: string): void {
    if (this.current.state === 'closed') return;
    this.scheduleRestart(reason);
  }

  async close(): Promise<void> {
    this.generation++;
    clearTimeout(this.restartTimer);
    clearTimeout(this.stableTimer);
    clearInterval(this.silenceTimer);
    this.restartTimer = undefined;
    this.closeClient();
    this.setStatus({ state: 'closed' });
  }

  private openClient(): void {
    this.closeClient();
    const generation = ++this.generation;
    const live = () => generation === this.generation;
    this.setStatus({ state: this.current.attempts > 0 ? 'reconnecting' : 'connecting' });
    const client = new lark.WSClient({
      appId: this.app.appId,
      appSecret: this.app.appSecret,
      domain: sdkDomain(this.app.domain),
      logger: createSdkLogger(this.logger),
      loggerLevel: lark.LoggerLevel.info,
      autoReconnect: true,
      handshakeTimeoutMs: this.settings.handshakeTimeoutMs,
      wsConfig: { pingTimeout: this.settings.pingTimeoutSeconds },
      onReady: () => live() && this.onOpen(),
      onReconnected: () => live() && this.onOpen(),
      onReconnecting: () => live() && this.onSocketLost(),
      onError: (err: Error) => live() && this.onGiveUp(err),
    });
    guardFragments(client, this.logger);
    acceptCardFrames(client, () => live() && (this.lastDataAt = Date.now()));
    leaveFirstConnectRetriesToKernel(client);
    this.client = client;
    void client.start({ eventDispatcher: this.sink as unknown as lark.EventDispatcher });
  }

  private onOpen(): void {
    this.logger.info({ appId: this.app.appId }, 'long connection ready');
    this.setStatus({ state: 'ready', lastError: undefined });
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => {
      this.current.attempts = 0;
    }, this.settings.stableAfterMs ?? 60_000);
    this.stableTimer.unref();
    this.watchSilence();
  }

  /** The staleness probe: replaces a connection that stays ready but carries nothing. */
  private watchSilence(): void {
    clearInterval(this.silenceTimer);
    const silenceMs = (this.settings.silenceRestartSeconds ?? 0) * 1000;
    if (silenceMs <= 0) return;
    this.lastDataAt = Date.now();
    this.silenceTimer = setInterval(() => {
      if (this.current.state !== 'ready' || Date.now() - this.lastDataAt < silenceMs) return;
      clearInterval(this.silenceTimer);
      this.logger.warn({ appId: this.app.appId, silentMs: Date.now() - this.lastDataAt },
        'no event on the long connection for too long; replacing it');
      this.scheduleRestart('no data frame within connection.silenceRestartSeconds');
    }, Math.min(60_000, Math.max(100, silenceMs / 4)));
    this.silenceTimer.unref();
  }

  /**
   * The SDK would reconnect on the platform's ClientConfig schedule, which can be one try
   * every 120 s for ever: a socket lost for a few seconds would leave the kernel deaf for
   * minutes after the network returns. The kernel's own capped backoff takes over instead.
   */
  private onSocketLost(): void {
    if (this.current.state === 'closed' || this.current.state === 'failed') return;
    this.scheduleRestart('the long connection was lost');
  }

  private onGiveUp(err: Error): void {
    const code = Number(TERMINAL_DISCOVERY.exec(err.message)?.[1]);
    if (Number.isFinite(code) && code !== 1 && code !== 1000040343) {
      this.fail(code, err);
      return;
    }
    this.scheduleRestart(err.message);
  }

  private fail(code: number, err: Error): void {
    const hint = code === CONNECTION_LIMIT
      ? 'the app already holds the maximum of 50 long connections; stop other instances'
      : 'check app.appId and app.appSecret against the developer console';
    const error = new LarkServiceError(
      'LARK_E_CONNECTION_REJECTED',
      `the platform refused the long connection for ${this.app.appId} (code ${code}): ${hint}`,
      { cause: err, details: { appId: this.app.appId, code } },
    );
    this.logger.error({ appId: this.app.appId, err: error }, 'long connection refused');
    clearInterval(this.silenceTimer);
    this.closeClient();
    this.setStatus({ state: 'failed', lastError: error.message });
  }

  private scheduleRestart(reason: string): void {
    clearTimeout(this.restartTimer);
    clearTimeout(this.stableTimer);
    clearInterval(this.silenceTimer);
    this.closeClient();
    const attempts = this.current.attempts + 1;
    const delayMs = backoffDelay(attempts - 1, this.settings.backoff);
    this.setStatus({ state: 'reconnecting', attempts, lastError: reason });
    this.logger.warn({ appId: this.app.appId, attempts, delayMs, reason }, 'restarting connection');
    const generation = ++this.generation;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (generation === this.generation) this.openClient();
    }, delayMs);
  }

  private closeClient(): void {
    const client = this.client;
    this.client = undefined;
    client?.close({ force: true });
  }

  private setStatus(change: Partial<ConnectionStatus>): void {
    const next = { ...this.current, ...change };
    if (next.state !== this.current.state) next.since = Date.now();
    this.current = next;
    this.emit('status', this.status());
  }
}

/**
 * The SDK answers only data frames whose `type` header is `event`, but card callbacks have
 * also been seen arriving as `card` frames (they would then go unanswered and the user would
 * see an error). Relabel them before the SDK looks, without forking it.
 */
function acceptCardFrames(client: lark.WSClient, onData: () => void): void {
  const target = client as unknown as { handleEventData(frame: Frame): Promise<void> };
  const original = target.handleEventData.bind(client);
  target.handleEventData = (frame: Frame) => {
    onData();
    for (const header of frame.headers ?? []) {
      if (header.key === 'type' && header.value === 'card') header.value = 'event';
    }
    return original(frame);
  };
}

/**
 * Until a client has fetched the platform's ClientConfig, the SDK retries a failed first
 * connect on its built-in defaults: a random wait of up to 30 s, then every 120 s. A fresh client
 * started while the network is down would then sit out minutes after the network returns. So a
 * fresh client gets one immediate retry, then gives up to the kernel's own capped backoff; the
 * platform's ClientConfig replaces these values as soon as discovery succeeds.
 */
function leaveFirstConnectRetriesToKernel(client: lark.WSClient): void {
  const config = (client as unknown as { wsConfig?: { updateWs(values: object): void } }).wsConfig;
  config?.updateWs({ reconnectCount: 1, reconnectNonce: 0, reconnectInterval: 1_000 });
}

interface Frame {
  headers?: { key: string; value: string }[];
}
