import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ConnectionState } from '../connection.js';
import { MetricCatalogue } from './metric-catalogue.js';

export const CONNECTION_STATES: readonly ConnectionState[] = [
  'idle', 'connecting', 'ready', 'reconnecting', 'failed', 'closed',
];

/** Up to the platform's 3 s deadline, where an ACK stops counting. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3];
const HANDLER_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const OPENAPI_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the collect-time gauges read from the running kernel. */
export interface KernelGaugeSource {
  inFlight(): number;
  plugins(): readonly { id: string; state: string }[];
}

/**
 * The kernel's series, on a registry of its own: several kernels in one process (tests, or
 * two apps) never share or clash. Plugins add theirs through `catalogue` (see plugin-metrics).
 */
export class KernelMetrics {
  readonly registry = new Registry();
  readonly catalogue = new MetricCatalogue(this.registry);
  private source: KernelGaugeSource | undefined;

  readonly connectionState = this.kernel(new Gauge({
    name: 'lark_service_connection_state',
    help: 'Long connection state: 1 for the current state, 0 for the others',
    labelNames: ['state'] as const,
    registers: [],
  }));
  readonly connectionReconnects = this.kernel(new Counter({
    name: 'lark_service_connection_reconnects_total',
    help: 'Times the long connection went into the reconnecting state',
    registers: [],
  }));
  readonly eventsReceived = this.kernel(new Counter({
    name: 'lark_service_events_received_total',
    help: 'Events and card callbacks received from the platform',
    labelNames: ['event_type'] as const,
    registers: [],
  }));
  readonly eventsAcknowledged = this.kernel(new Counter({
    name: 'lark_service_events_acknowledged_total',
    help: 'ACKs sent back, by ACK code (200, or 500 when the payload was refused)',
    labelNames: ['event_type', 'code'] as const,
    registers: [],
  }));
  readonly eventsDuplicate = this.kernel(new Counter({
    name: 'lark_service_events_deduplicated_total',
    help: 'Re-deliveries of an already claimed event, acknowledged and dropped',
    labelNames: ['event_type'] as const,
    registers: [],
  }));
  readonly eventsUnhandled = this.kernel(new Counter({
    name: 'lark_service_events_unhandled_total',
    help: 'Events no plugin subscribes to, acknowledged and dropped',
    labelNames: ['event_type'] as const,
    registers: [],
  }));
  readonly eventsHandled = this.kernel(new Counter({
    name: 'lark_service_events_handled_total',
    help: 'Handler runs that succeeded',
    labelNames: ['event_type', 'plugin'] as const,
    registers: [],
  }));
  readonly eventsFailed = this.kernel(new Counter({
    name: 'lark_service_events_failed_total',
    help: 'Handler runs that threw or timed out',
    labelNames: ['event_type', 'plugin'] as const,
    registers: [],
  }));
  readonly eventsParked = this.kernel(new Counter({
    name: 'lark_service_events_parked_total',
    help: 'Events a plugin gave up on and parked for an operator',
    labelNames: ['event_type', 'plugin'] as const,
    registers: [],
  }));
  readonly ackLatency = this.kernel(new Histogram({
    name: 'lark_service_ack_latency_seconds',
    help: 'Time from a payload reaching the dispatcher to its answer (the ACK)',
    labelNames: ['kind'] as const,
    buckets: ACK_BUCKETS,
    registers: [],
  }));
  readonly handlerDuration = this.kernel(new Histogram({
    name: 'lark_service_handler_duration_seconds',
    help: 'Duration of successful event handler runs',
    labelNames: ['event_type', 'plugin'] as const,
    buckets: HANDLER_BUCKETS,
    registers: [],
  }));
  readonly cardCallbacks = this.kernel(new Counter({
    name: 'lark_service_card_callbacks_total',
    help: 'Card callbacks by outcome; over_budget was answered with a processing toast',
    labelNames: ['plugin', 'outcome'] as const,
    registers: [],
  }));
  readonly openApiRequests = this.kernel(new Counter({
    name: 'lark_service_openapi_requests_total',
    help: 'OpenAPI calls by route template, HTTP status and platform code',
    labelNames: ['method', 'endpoint', 'status', 'code'] as const,
    registers: [],
  }));
  readonly openApiDuration = this.kernel(new Histogram({
    name: 'lark_service_openapi_request_duration_seconds',
    help: 'OpenAPI call duration by route template',
    labelNames: ['method', 'endpoint'] as const,
    buckets: OPENAPI_BUCKETS,
    registers: [],
  }));

  constructor() {
    const source = () => this.source;
    this.kernel(new Gauge({
      name: 'lark_service_events_in_flight',
      help: 'Handler runs and card answers started or queued and not yet settled',
      registers: [],
      collect() {
        this.set(source()?.inFlight() ?? 0);
      },
    }));
    this.kernel(new Gauge({
      name: 'lark_service_plugin_state',
      help: 'Plugin state: 1 for the current state of each plugin',
      labelNames: ['plugin', 'state'] as const,
      registers: [],
      collect() {
        this.reset();
        for (const { id, state } of source()?.plugins() ?? []) this.set({ plugin: id, state }, 1);
      },
    }));
    for (const state of CONNECTION_STATES) {
      this.connectionState.set({ state }, state === 'idle' ? 1 : 0);
    }
    collectDefaultMetrics({ register: this.registry });
  }

  /** Connects the collect-time gauges to the running kernel. */
  observe(source: KernelGaugeSource): void {
    this.source = source;
  }

  /** The exposition text for a scrape. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private kernel<M extends Counter<string> | Gauge<string> | Histogram<string>>(metric: M): M {
    this.catalogue.reserve(metric, 'kernel');
    return metric;
  }
}
