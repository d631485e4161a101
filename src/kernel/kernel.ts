import { systemClock, type Clock } from './clock.js';
import type { KernelConfig } from './config/config-schema.js';
import { rootContainer, type DependencyContainer } from './container.js';
import { CardActionResponder } from './dispatch/card-action-responder.js';
import { CardUpdater } from './dispatch/card-updater.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { createDeliveryParts } from './delivery/delivery-parts.js';
import { withTimeout } from './dispatch/timeout.js';
import { HandlerRegistry } from './dispatch/handler-registry.js';
import { LarkConnection, type ConnectionStatus } from './connection.js';
import {
  createLarkClient,
  StoreTokenCache,
  type LarkAppSettings,
  type LarkClient,
} from './lark-client.js';
import { checkOtherConnections } from './live-connections.js';
import type { Logger } from './logger.js';
import type { PluginDefinition } from './plugins/plugin-definition.js';
import {
  instrumentCards,
  instrumentConnection,
  instrumentDispatcher,
  timedSink,
} from './ops/instrumentation.js';
import { KernelMetrics } from './ops/metrics.js';
import { instrumentOpenApi } from './ops/openapi-metrics.js';
import { OpsServer } from './ops/ops-server.js';
import { checkReadiness } from './ops/readiness.js';
import { PluginHost, type PluginState } from './plugins/plugin-host.js';
import { openStorage, type Storage } from './store/storage.js';
import { CoreTokens } from './tokens.js';
import { TransportManager, type TransportStatus } from './transport/transport-manager.js';

export interface KernelInit {
  config: KernelConfig;
  /** The app to connect as, with credentials resolved (from config or an embedded emulator). */
  app: LarkAppSettings;
  logger: Logger;
  baseDir?: string;
  clock?: Clock;
  /** In-flight handlers get this long to finish on stop; `shutdown.drainTimeoutMs` otherwise. */
  drainTimeoutMs?: number;
  /** Plugin definitions given in code; an entry whose `use` is a key here loads that one. */
  inlinePlugins?: ReadonlyMap<string, PluginDefinition<unknown>>;
  /** False to start the plugins without the long connection or the journal (replay). */
  connect?: boolean;
}

export interface KernelStatus {
  connection: ConnectionStatus;
  plugins: { id: string; name: string; state: PluginState }[];
  inFlight: number;
  /** Which transports deliver events, and what the operator must set in the console. */
  transport?: TransportStatus;
}

/**
 * The composition root: builds the core services, loads and starts the plugins, then opens
 * the long connection (handlers are all registered before the first event can arrive).
 */
export class Kernel {
  readonly container: DependencyContainer;
  readonly registry = new HandlerRegistry();
  /** This kernel's Prometheus registry and series; plugins add theirs via `ctx.metrics`. */
  readonly metrics = new KernelMetrics();
  private storage?: Storage;
  private host?: PluginHost;
  private connectionRef?: LarkConnection;
  private transportRef?: TransportManager;
  private dispatcherRef?: Dispatcher;
  private larkRef?: LarkClient;
  private stopping?: Promise<void>;
  private opsServer?: OpsServer;

  constructor(private readonly init: KernelInit) {
    this.container = rootContainer.createChildContainer();
  }

  get connection(): LarkConnection {
    return required(this.connectionRef, 'connection');
  }

  get dispatcher(): Dispatcher {
    return required(this.dispatcherRef, 'dispatcher');
  }

  get lark(): LarkClient {
    return required(this.larkRef, 'lark client');
  }

  /** Base URL of the operations listener, when `ops.enabled`. */
  get opsUrl(): string | undefined {
    return this.opsServer?.url;
  }

  async start(): Promise<void> {
    const { config, logger } = this.init;
    const clock = this.init.clock ?? systemClock;
    this.storage = await openStorage(config.store, clock, this.init.baseDir);
    try {
      this.metrics.observe({
        inFlight: () => this.dispatcherRef?.inFlight() ?? 0,
        plugins: () => this.host?.states() ?? [],
      });
      await this.startOpsServer();
      this.larkRef = this.createLark(clock);
      this.dispatcherRef = this.createDispatcher();
      this.registerCoreServices(clock);
      this.host = new PluginHost({
        root: this.container,
        registry: this.registry,
        storage: this.storage,
        lark: this.larkRef,
        clock,
        logger,
        appId: this.init.app.appId,
        inlinePlugins: this.init.inlinePlugins,
        metrics: this.metrics.catalogue,
      });
      await this.host.load(config.plugins, this.init.baseDir ?? process.cwd());
      await this.host.startAll();
      if (this.init.connect === false) return;
      await this.dispatcherRef.start();
      const journal = this.dispatcherRef.journal;
      await checkOtherConnections(this.larkRef, this.init.app.appId,
        journal.activePeers?.bind(journal), logger);
      await this.openTransports(clock);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  status(): KernelStatus {
    return {
      connection: this.connectionRef?.status() ?? { state: 'idle', attempts: 0, since: Date.now() },
      plugins: this.host?.states() ?? [],
      inFlight: this.dispatcherRef?.inFlight() ?? 0,
      ...(this.transportRef && { transport: this.transportRef.status() }),
    };
  }

  /** Stop taking events, close the connection, let in-flight work finish, stop plugins. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const log = this.init.logger;
    this.dispatcherRef?.stopAccepting();
    await this.transportRef?.stop();
    if (this.dispatcherRef) {
      const deadline = this.init.drainTimeoutMs ?? this.init.config.shutdown.drainTimeoutMs;
      await withTimeout(this.dispatcherRef.drain(), deadline).catch(() =>
        log.warn({ inFlight: this.dispatcherRef?.inFlight() }, 'stopped before in-flight work ended'),
      );
    }
    await this.host?.stopAll();
    await this.opsServer?.close();
    await this.storage?.close();
    log.info('kernel stopped');
    await new Promise<void>((resolve) => log.flush(() => resolve()));
  }

  private async startOpsServer(): Promise<void> {
    const { ops } = this.init.config;
    if (!ops.enabled) return;
    const readinessSource = { status: () => this.status(), pingStore: () => this.storage!.ping() };
    this.opsServer = await OpsServer.listen(
      ops,
      {
        readiness: () => checkReadiness(readinessSource, ops.storePingTimeoutMs),
        metrics: async () => ({
          contentType: this.metrics.contentType,
          text: await this.metrics.scrape(),
        }),
      },
      this.init.logger.child({ component: 'ops' }),
    );
  }

  private createLark(clock: Clock): LarkClient {
    // A token belongs to one platform: a cache kept across runs against another base URL (an
    // embedded emulator listens on a new port each run) must not hand out its tokens.
    const platform = this.init.app.domain.replace(/[^A-Za-z0-9.-]+/g, '_');
    const cache = new StoreTokenCache(
      this.storage!.namespace(`kernel:token-cache:${platform}`),
      clock,
    );
    return createLarkClient(this.init.app, cache, this.init.logger, (http) =>
      instrumentOpenApi(http, this.metrics),
    );
  }

  private createDispatcher(): Dispatcher {
    const { dispatch } = this.init.config;
    const logger = this.init.logger.child({ component: 'dispatcher' });
    const settings = {
      cardBudgetMs: dispatch.cardBudgetMs,
      schema2Cards: dispatch.schema2Cards,
      dedupTtlMs: dispatch.dedupTtlSeconds * 1000,
      handlerConcurrency: dispatch.handlerConcurrency,
      handlerTimeoutMs: dispatch.handlerTimeoutMs,
      staleAfterMs: dispatch.staleAfterSeconds * 1000,
      retry: dispatch.retry,
    };
    const cards = new CardActionResponder(this.registry, new CardUpdater(this.larkRef!), logger, settings);
    const parts = createDeliveryParts(this.storage!, this.init.config, logger, this.init.clock);
    const { coordination } = this.storage!;
    const dispatcher = new Dispatcher(this.registry, coordination, logger, settings, cards, parts);
    instrumentCards(cards, this.metrics);
    instrumentDispatcher(dispatcher, this.metrics);
    return dispatcher;
  }

  private registerCoreServices(clock: Clock): void {
    const values: [symbol, unknown][] = [
      [CoreTokens.Config, this.init.config],
      [CoreTokens.Logger, this.init.logger],
      [CoreTokens.Clock, clock],
      [CoreTokens.Storage, this.storage],
      [CoreTokens.Coordination, this.storage!.coordination],
      [CoreTokens.LarkClient, this.larkRef],
      [CoreTokens.Dispatcher, this.dispatcherRef],
      [CoreTokens.HandlerRegistry, this.registry],
      [CoreTokens.Metrics, this.metrics],
    ];
    for (const [token, value] of values) this.container.register(token, { useValue: value });
  }

  /** The long connection, the webhook listener, or the first with the second as fallback. */
  private async openTransports(clock: Clock): Promise<void> {
    const { config, app, logger } = this.init;
    const sink = timedSink(this.dispatcherRef!, this.metrics);
    this.transportRef = new TransportManager({ config, app, sink, logger, clock });
    await this.transportRef.start();
    this.connectionRef = this.transportRef.connection;
    if (this.connectionRef) instrumentConnection(this.connectionRef, this.metrics);
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`kernel not started: no ${what} yet`);
  return value;
}
