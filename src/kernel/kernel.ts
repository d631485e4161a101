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
import { PluginHost, type PluginState } from './plugins/plugin-host.js';
import { openStorage, type Storage } from './store/storage.js';
import { CoreTokens } from './tokens.js';

export interface KernelInit {
  config: KernelConfig;
  /** The app to connect as, with credentials resolved (from config or an embedded emulator). */
  app: LarkAppSettings;
  logger: Logger;
  baseDir?: string;
  clock?: Clock;
  /** In-flight handlers get this long to finish on stop. */
  drainTimeoutMs?: number;
  /** False to start the plugins without the long connection or the journal (replay). */
  connect?: boolean;
}

export interface KernelStatus {
  connection: ConnectionStatus;
  plugins: { id: string; name: string; state: PluginState }[];
  inFlight: number;
}

/**
 * The composition root: builds the core services, loads and starts the plugins, then opens
 * the long connection (handlers are all registered before the first event can arrive).
 */
export class Kernel {
  readonly container: DependencyContainer;
  readonly registry = new HandlerRegistry();
  private storage?: Storage;
  private host?: PluginHost;
  private connectionRef?: LarkConnection;
  private dispatcherRef?: Dispatcher;
  private larkRef?: LarkClient;
  private stopping?: Promise<void>;

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

  async start(): Promise<void> {
    const { config, logger } = this.init;
    const clock = this.init.clock ?? systemClock;
    this.storage = await openStorage(config.store, clock, this.init.baseDir);
    try {
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
      });
      await this.host.load(config.plugins, this.init.baseDir ?? process.cwd());
      await this.host.startAll();
      if (this.init.connect === false) return;
      await this.dispatcherRef.start();
      await checkOtherConnections(this.larkRef, this.init.app.appId,
        this.storage.kind === 'redis', logger);
      this.openConnection();
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
    await this.connectionRef?.close();
    if (this.dispatcherRef) {
      const deadline = this.init.drainTimeoutMs ?? 30_000;
      await withTimeout(this.dispatcherRef.drain(), deadline).catch(() =>
        log.warn({ inFlight: this.dispatcherRef?.inFlight() }, 'stopped before in-flight work ended'),
      );
    }
    await this.host?.stopAll();
    await this.storage?.close();
    log.info('kernel stopped');
  }

  private createLark(clock: Clock): LarkClient {
    const cache = new StoreTokenCache(this.storage!.namespace('kernel:token-cache'), clock);
    return createLarkClient(this.init.app, cache, this.init.logger);
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
    return new Dispatcher(this.registry, coordination, logger, settings, cards, parts);
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
    ];
    for (const [token, value] of values) this.container.register(token, { useValue: value });
  }

  private openConnection(): void {
    const { connection } = this.init.config;
    this.connectionRef = new LarkConnection(
      this.init.app,
      this.dispatcherRef!,
      this.init.logger.child({ component: 'connection' }),
      connection,
    );
    this.connectionRef.start();
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`kernel not started: no ${what} yet`);
  return value;
}
