import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LarkServiceError } from '../errors.js';

export interface MetricSpec<Label extends string> {
  /** Prometheus name; by convention `lark_service_<plugin>_<what>[_total|_seconds]`. */
  name: string;
  help: string;
  labelNames?: readonly Label[];
}

export interface HistogramSpec<Label extends string> extends MetricSpec<Label> {
  /** Upper bounds in the metric's unit; prom-client's defaults (seconds) otherwise. */
  buckets?: number[];
}

/**
 * How a plugin adds its own series to the kernel's registry (`ctx.metrics`). The returned
 * objects are prom-client's own. Asking again for the same name, kind and labels returns the
 * same metric, so several entries of one plugin and a restart share it; a name another plugin
 * or the kernel owns is refused.
 */
export interface PluginMetrics {
  counter<Label extends string = never>(spec: MetricSpec<Label>): Counter<Label>;
  gauge<Label extends string = never>(spec: MetricSpec<Label>): Gauge<Label>;
  histogram<Label extends string = never>(spec: HistogramSpec<Label>): Histogram<Label>;
}

type Kind = 'counter' | 'gauge' | 'histogram';
type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

interface Entry {
  owner: string;
  kind: Kind;
  labelNames: readonly string[];
  metric: AnyMetric;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Who owns which metric name on one registry. */
export class MetricCatalogue {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly registry: Registry) {}

  /** Registers a metric built by its owner (the kernel's own series). */
  reserve(metric: AnyMetric, owner: string): void {
    const { name, labelNames } = metric as unknown as { name: string; labelNames: string[] };
    this.registry.registerMetric(metric);
    this.entries.set(name, { owner, kind: kindOf(metric), labelNames: labelNames ?? [], metric });
  }

  forOwner(owner: string): PluginMetrics {
    const registers: Registry[] = [];
    return {
      counter: (spec) =>
        this.obtain('counter', spec, owner, () => new Counter({ ...spec, registers })),
      gauge: (spec) =>
        this.obtain('gauge', spec, owner, () => new Gauge({ ...spec, registers })),
      histogram: (spec) =>
        this.obtain('histogram', spec, owner, () => new Histogram({ ...spec, registers })),
    } as PluginMetrics;
  }

  private obtain<M extends AnyMetric>(
    kind: Kind,
    spec: MetricSpec<string>,
    owner: string,
    create: () => M,
  ): M {
    const labelNames = [...(spec.labelNames ?? [])];
    checkNames(spec.name, labelNames, owner);
    const existing = this.entries.get(spec.name);
    if (existing) {
      if (existing.owner !== owner || existing.kind !== kind || !sameLabels(existing, labelNames)) {
        const why = `it is already a ${existing.kind} of ${describe(existing)}`;
        throw conflict(spec.name, owner, why);
      }
      return existing.metric as M;
    }
    if (this.registry.getSingleMetric(spec.name)) {
      throw conflict(spec.name, owner, 'it is one of the process metrics');
    }
    const metric = create();
    this.reserve(metric, owner);
    return metric;
  }
}

function kindOf(metric: AnyMetric): Kind {
  if (metric instanceof Counter) return 'counter';
  if (metric instanceof Gauge) return 'gauge';
  return 'histogram';
}

function sameLabels(entry: Entry, labelNames: string[]): boolean {
  return entry.labelNames.length === labelNames.length
    && entry.labelNames.every((label, index) => label === labelNames[index]);
}

function describe(entry: Entry): string {
  const labels = entry.labelNames.length ? ` with labels ${entry.labelNames.join(', ')}` : '';
  return `${entry.owner === 'kernel' ? 'the kernel' : `plugin "${entry.owner}"`}${labels}`;
}

function checkNames(name: string, labelNames: string[], owner: string): void {
  if (!METRIC_NAME.test(name)) {
    const why = 'a metric name is letters, digits, "_" and ":", not starting with a digit';
    throw conflict(name, owner, why);
  }
  const bad = labelNames.find((label) => !LABEL_NAME.test(label) || label.startsWith('__'));
  if (bad !== undefined) {
    throw conflict(name, owner, `label "${bad}" is not a valid Prometheus label name`);
  }
}

function conflict(name: string, owner: string, why: string): LarkServiceError {
  return new LarkServiceError(
    'LARK_E_METRIC_REGISTRATION',
    `plugin "${owner}" cannot register metric "${name}": ${why}; ` +
      'choose a name of its own, e.g. lark_service_<plugin>_<what>',
    { details: { plugin: owner, metric: name } },
  );
}
