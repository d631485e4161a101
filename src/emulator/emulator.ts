import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApaasEmulation } from './apaas/apaas-emulation.js';
import { buildApprovalInstanceEvent } from './approval-events.js';
import { ApprovalSubscriptions } from './approval-subscriptions.js';
import { ConnectionHub, WS_PATH } from './connection-hub.js';
import { handleControlRequest } from './control-api.js';
import {
  EndpointDiscovery, type EndpointFailure, type RefuseMode,
} from './endpoint-discovery.js';
import { cardTokenOf, incomingMessageOf, summarizeEnvelope } from './envelope.js';
import { EmulatorError, EmulatorErrorCode } from './errors.js';
import { EventDelivery } from './event-delivery.js';
import { createFrontDoor } from './front-door.js';
import { MessageStore } from './message-store.js';
import { EmulatorClock } from './emulator-clock.js';
import { OAuthControl } from './oauth/oauth-control.js';
import { OAuthState } from './oauth/oauth-state.js';
import { CardTokens } from './openapi/card-tokens.js';
import { FaultInjector } from './openapi/fault-injector.js';
import { OpenApiRouter } from './openapi/openapi-router.js';
import { RequestLog } from './openapi/request-log.js';
import { TenantTokens } from './openapi/tenant-tokens.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import * as builders from './payload-builders.js';
import { TicketBook } from './ticket-book.js';
import { TimerSet } from './timer-set.js';
import type {
  AckRecord, ApprovalInstanceInput, CardClickInput, ClientConfig, ConnectionInfo, EmulatorOptions,
  InjectedErrorRule,
  PushOptions, RequestLogEntry, SentMessage, UserMessageInput,
} from './types.js';
import { Waiters } from './waiters.js';
import { WebhookDelivery } from './webhook-delivery.js';

const DEFAULT_WAIT_MS = 5000;
const MAX_ACK_RECORDS = 100_000;

/**
 * A local double of the Feishu/Lark Open Platform: long-connection endpoint discovery and
 * WebSocket (pbbp2 frames), an OpenAPI subset, and a control surface to script the
 * platform's side. Point the unmodified SDK at it with `domain: emulator.baseUrl`.
 *
 * Events: 'ack' (AckRecord), 'repush' (RepushNotice), 'connection' / 'disconnect'
 * (ConnectionInfo), 'connection-ready' (ConnectionInfo, on the client's first ping),
 * 'request' (RequestLogEntry), 'message' (SentMessage), 'late-ack' ({ messageId, headers }),
 * 'stopped'.
 */
export class Emulator extends EventEmitter {
  private readonly timers = new TimerSet();
  private readonly waiters = new Waiters();
  private readonly tickets = new TicketBook();
  private readonly messages = new MessageStore();
  private readonly tenantTokens: TenantTokens;
  private readonly cardTokens = new CardTokens();
  private readonly faults = new FaultInjector();
  /** The aPaaS platform (reference §7): workspaces, applications, user tokens, scopes. */
  readonly apaas: ApaasEmulation;
  private readonly requestLog = new RequestLog();
  private readonly approvals: ApprovalSubscriptions;
  private readonly discovery: EndpointDiscovery;
  private readonly hub: ConnectionHub;
  private readonly delivery: EventDelivery;
  private readonly webhooks: WebhookDelivery;
  private readonly ackRecords: AckRecord[] = [];
  private address: AddressInfo | undefined;
  private stopped = false;
  private readonly oauthState: OAuthState;
  /** Scripts the OAuth side: consent, device grants, the clock tokens expire on. */
  readonly oauth: OAuthControl;

  private constructor(
    private readonly options: ResolvedOptions,
    private readonly server: Server,
  ) {
    super();
    const logger = options.logger;
    this.oauthState = new OAuthState(new EmulatorClock(), options.oauth, () => this.baseUrl);
    this.oauth = new OAuthControl(this.oauthState);
    this.tenantTokens = new TenantTokens(options.tenantTokenTtlSeconds);
    this.apaas = new ApaasEmulation(options.apps[0]?.appId ?? '', this.faults,
      this.oauthState.tokens);
    this.approvals = new ApprovalSubscriptions(options.approvalCodes);
    this.discovery = new EndpointDiscovery(options, this.tickets,
      () => this.baseUrl.replace(/^http/, 'ws'));
    this.hub = new ConnectionHub(options, this.tickets, this.discovery, {
      onConnection: (connection) => this.emit('connection', connection.info()),
      onReady: (connection) => this.emit('connection-ready', connection.info()),
      onDisconnect: (connection) => this.emit('disconnect', connection.info()),
      onDataFrame: (connection, frame) => this.delivery.receiveAck(connection, frame),
    }, logger);
    this.webhooks = new WebhookDelivery(options, logger);
    this.delivery = new EventDelivery(options, this.hub, this.timers, {
      onAck: (record) => this.keepAck(record),
      onRepush: (notice) => this.emit('repush', notice),
      onLateAck: (messageId, headers) => this.emit('late-ack', { messageId, headers }),
    }, logger, this.webhooks);
    this.messages.onSent((message) => this.emit('message', message));
    this.attachServer(logger);
  }

  static async start(options: EmulatorOptions): Promise<Emulator> {
    const resolved = resolveOptions(options);
    const emulator = new Emulator(resolved, createServer());
    await emulator.listen();
    resolved.logger.info({ baseUrl: emulator.baseUrl, apps: resolved.apps.length },
      'emulator listening');
    return emulator;
  }

  /** `http://HOST:PORT`: pass it as the SDK's `domain`. */
  get baseUrl(): string {
    if (!this.address) throw new EmulatorError(EmulatorErrorCode.stopped, 'emulator not listening');
    return `http://${this.options.host}:${this.address.port}`;
  }

  // ── Pushing events ─────────────────────────────────────────────────────────

  /**
   * Delivers one event to one open connection of the app and resolves with its ACK (or a
   * timedOut record after ackTimeoutMs). Failed ordinary events are re-pushed in the
   * background. The app is opts.appId, else the payload's app_id, else the first app.
   */
  async pushEvent(payload: object, opts: PushOptions = {}): Promise<AckRecord> {
    this.assertRunning();
    const appId = this.appFor(opts.appId ?? this.configuredAppOf(payload)).appId;
    this.observe(appId, payload);
    const record = await this.delivery.push(appId, payload, {
      frameType: opts.frameType ?? 'event',
      fragments: opts.fragments ?? 1,
      outOfOrder: opts.outOfOrder ?? false,
    });
    if (!record) {
      throw new EmulatorError(EmulatorErrorCode.noConnection,
        `app ${appId} has no open long connection; start a WSClient and await ` +
        'waitForConnections() before pushing, or register a request URL');
    }
    return record;
  }

  /** A user clicks a card button; `response` is the callback answer decoded from the ACK. */
  async clickCard(input: CardClickInput): Promise<{ ack: AckRecord; response: unknown }> {
    const app = this.appFor(input.appId);
    const ack = await this.pushEvent(builders.buildCardAction(app, input), {
      appId: app.appId,
      frameType: input.frameType ?? this.options.cardFrameType,
    });
    return { ack, response: ack.data };
  }

  /** A user sends a text message to the bot (p2p) or in a group. */
  sendUserMessage(input: UserMessageInput): Promise<AckRecord> {
    const app = this.appFor(input.appId);
    return this.pushEvent(this.buildMessageEvent(input), { appId: app.appId });
  }

  buildMessageEvent(input: UserMessageInput): object {
    const app = this.appFor(input.appId);
    const botOpenId = this.options.bots.get(app.appId)?.openId ?? '';
    return builders.buildMessageEvent(app, botOpenId, input);
  }

  buildCardAction(input: CardClickInput): object {
    return builders.buildCardAction(this.appFor(input.appId), input);
  }

  /**
   * An approval instance changes status. Like the platform, refuses (NOT_SUBSCRIBED) when the
   * app has not subscribed the definition, unless `requireApprovalSubscription` is false.
   */
  approvalInstanceChanged(input: ApprovalInstanceInput): Promise<AckRecord> {
    const app = this.appFor(input.appId);
    if (this.options.requireApprovalSubscription
      && !this.approvals.isSubscribed(app.appId, input.approvalCode)) {
      return Promise.reject(new EmulatorError(EmulatorErrorCode.notSubscribed,
        `app ${app.appId} has not subscribed approval ${input.approvalCode}; the platform ` +
        'pushes approval events only after POST /open-apis/approval/v4/approvals/' +
        ':approval_code/subscribe'));
    }
    return this.pushEvent(buildApprovalInstanceEvent(app, input), { appId: app.appId });
  }

  buildApprovalInstanceEvent(input: ApprovalInstanceInput): object {
    return buildApprovalInstanceEvent(this.appFor(input.appId), input);
  }

  /** Approval codes the app has subscribed through the OpenAPI. */
  approvalSubscriptions(appId?: string): string[] {
    return this.approvals.list(this.appFor(appId).appId);
  }

  acks(): AckRecord[] {
    return [...this.ackRecords];
  }

  // ── Webhook delivery (console: "send events to a request URL") ──────────────

  /**
   * Registers the app's request URL after the console's URL check (challenge); from then on
   * its events and card callbacks are POSTed there, re-pushes included. Rejects with
   * LARK_E_EMULATOR_WEBHOOK_CHALLENGE when the URL does not echo the challenge.
   */
  async setRequestUrl(url: string, opts: { appId?: string } = {}): Promise<void> {
    this.assertRunning();
    await this.webhooks.register(this.appFor(opts.appId), url);
  }

  /** Switches the app's subscription mode back to the long connection. */
  useLongConnection(opts: { appId?: string } = {}): void {
    this.webhooks.useLongConnection(this.appFor(opts.appId).appId);
  }

  /** The console's Encrypt Key for webhook delivery; undefined turns encryption off. */
  setEncryptKey(encryptKey: string | undefined, opts: { appId?: string } = {}): void {
    this.webhooks.setEncryptKey(this.appFor(opts.appId).appId, encryptKey);
  }

  requestUrl(opts: { appId?: string } = {}): string | undefined {
    return this.webhooks.urlOf(this.appFor(opts.appId).appId);
  }

  // ── Observing the OpenAPI side ─────────────────────────────────────────────

  sentMessages(filter?: { chatId?: string; appId?: string }): SentMessage[] {
    return this.messages.list(filter);
  }

  waitForMessage(predicate: (message: SentMessage) => boolean,
    timeoutMs = DEFAULT_WAIT_MS): Promise<SentMessage> {
    return this.waiters.until((notify) => this.messages.onSent(notify),
      () => this.messages.list().find(predicate), timeoutMs, 'a matching sent message');
  }

  requests(filter?: { path?: string | RegExp }): RequestLogEntry[] {
    return this.requestLog.list(filter);
  }

  // ── Connections and faults ─────────────────────────────────────────────────

  connections(appId?: string): ConnectionInfo[] {
    return this.hub.list(appId).map((connection) => connection.info());
  }

  /** Resolves once `count` connections are open and ready (they have pinged). */
  waitForConnections(count: number,
    opts: { appId?: string; timeoutMs?: number } = {}): Promise<void> {
    const subscribe = (notify: () => void): (() => void) => {
      this.on('connection-ready', notify);
      return () => this.off('connection-ready', notify);
    };
    const ready = () => this.hub.list(opts.appId).filter((connection) => connection.ready);
    const probe = () => (ready().length >= count ? true : undefined);
    return this.waiters.until(subscribe, probe, opts.timeoutMs ?? DEFAULT_WAIT_MS,
      `${count} connection(s)${opts.appId ? ` of ${opts.appId}` : ''}`).then(() => undefined);
  }

  /** The platform closes the sockets; clients see 'close' and reconnect. */
  dropConnections(appId?: string): number {
    return this.hub.drop(appId);
  }

  /** False while a push awaits its ACK or a re-push (or duplicate) is scheduled. */
  deliveriesSettled(): boolean {
    return !this.delivery.busy();
  }

  /** The platform closes one socket (by `connections()` id); false if it is not open. */
  dropConnection(connectionId: string): boolean {
    const connection = this.hub.list().find((candidate) => candidate.id === connectionId);
    connection?.terminate();
    return connection !== undefined;
  }

  /** Half-open path: sockets stay up, but no pong, no delivery, inbound frames ignored. */
  freezeConnections(appId?: string): void {
    this.hub.freeze(appId);
  }

  /** While on, discovery and upgrades fail at the network level ('reset') or with a 503. */
  refuseConnections(on: boolean, mode: RefuseMode = 'reset'): void {
    this.discovery.refuse(on ? mode : undefined);
  }

  /** Config handed out from now on, at discovery and in every pong (seconds). */
  setClientConfig(config: ClientConfig): void {
    this.options.clientConfig = { ...config };
  }

  /** The next `times` discoveries answer HTTP 200 with this code and `data: {}`. */
  failEndpoint(body: EndpointFailure, times = 1): void {
    this.discovery.fail(body, times);
  }

  injectError(rule: InjectedErrorRule): void {
    this.faults.add(rule);
  }

  /** Every tenant token issued so far stops working (99991663 on use). */
  expireTenantTokens(): void {
    this.tenantTokens.expireAll();
  }

  /** Closes sockets, server and timers; outstanding pushes resolve as timed out. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.delivery.stop();
    this.webhooks.stop();
    this.timers.cancelAll();
    this.waiters.failAll();
    await this.hub.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.options.logger.info({}, 'emulator stopped');
    this.emit('stopped');
  }

  // ── Internals ──────────────────────────────────────────────────────────────

  private attachServer(logger: ResolvedOptions['logger']): void {
    this.server.on('request', createFrontDoor({
      discovery: this.discovery,
      openApi: new OpenApiRouter({ options: this.options, tenantTokens: this.tenantTokens,
        cardTokens: this.cardTokens, messages: this.messages, apaas: this.apaas,
        approvals: this.approvals, oauth: this.oauthState,
        liveConnections: (appId) => this.hub.list(appId).length }, this.faults),
      requestLog: this.requestLog,
      control: (req, res, url, body) => handleControlRequest(this, res, req.method, url, body),
      onRequest: (entry) => this.emit('request', entry),
      logger,
    }));
    this.server.on('upgrade', (req, socket, head) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === WS_PATH && !this.stopped) this.hub.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
  }

  /** Remembers what later API calls refer to: user messages' chats, card-update tokens. */
  private observe(appId: string, payload: object): void {
    const incoming = incomingMessageOf(payload);
    if (incoming) this.messages.rememberPlace(incoming.messageId, incoming);
    const card = cardTokenOf(payload);
    if (card) this.cardTokens.register(card.token, appId, card.messageId);
  }

  private keepAck(record: AckRecord): void {
    this.ackRecords.push(record);
    if (this.ackRecords.length > MAX_ACK_RECORDS) this.ackRecords.shift();
    this.emit('ack', record);
  }

  private appFor(appId: string | undefined): ResolvedOptions['apps'][number] {
    const first = this.options.apps[0];
    if (appId === undefined && first) return first;
    const app = this.options.apps.find((candidate) => candidate.appId === appId);
    if (app) return app;
    throw new EmulatorError(EmulatorErrorCode.unknownApp,
      `app ${appId} is not configured in the emulator; add it to options.apps`);
  }

  private configuredAppOf(payload: object): string | undefined {
    const { appId } = summarizeEnvelope(payload);
    return this.options.apps.some((app) => app.appId === appId) ? appId : undefined;
  }

  private assertRunning(): void {
    if (this.stopped) throw new EmulatorError(EmulatorErrorCode.stopped, 'emulator stopped');
  }
}
