import { performance } from 'node:perf_hooks';
import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { KernelMetrics } from './metrics.js';

const STARTED = Symbol('lark-service:openapi-started');

type TimedConfig = InternalAxiosRequestConfig & { [STARTED]?: number };

/**
 * Counts and times every call the SDK `Client` makes (the tenant token fetch included) by
 * route template, HTTP status and platform code. Installed before the token-renewal
 * interceptor, so a call replayed after a rejected token shows as two calls, as it was.
 */
export function instrumentOpenApi(instance: AxiosInstance, metrics: KernelMetrics): void {
  instance.interceptors.request.use((config: TimedConfig) => {
    config[STARTED] = performance.now();
    return config;
  });
  instance.interceptors.response.use(
    (response: AxiosResponse) => {
      record(metrics, response.config, response.status, response.data);
      return response;
    },
    (error: AxiosError) => {
      record(metrics, error.config, error.response?.status, error.response?.data);
      throw error;
    },
  );
}

function record(
  metrics: KernelMetrics,
  config: TimedConfig | undefined,
  status: number | undefined,
  body: unknown,
): void {
  const method = (config?.method ?? 'get').toUpperCase();
  const endpoint = routeTemplate(config?.url);
  const code = (body as { code?: unknown } | undefined)?.code;
  metrics.openApiRequests.inc({
    method,
    endpoint,
    status: status === undefined ? 'none' : String(status),
    code: typeof code === 'number' ? String(code) : 'none',
  });
  const started = config?.[STARTED];
  if (started !== undefined) {
    metrics.openApiDuration.observe({ method, endpoint }, (performance.now() - started) / 1000);
  }
}

/** A path segment that names a resource or a version, never an id (ids carry digits). */
const ROUTE_WORD = /^(?:v\d+|[a-z]+(?:[_-][a-z]+)*)$/;

/**
 * The route a URL was built from: the SDK fills ids into its templates before the request,
 * so each segment that is not a plain word or version is put back as `:id`. Keeps message,
 * chat and user ids out of metric labels (cardinality, and they identify people).
 */
export function routeTemplate(url: string | undefined): string {
  if (!url) return 'unknown';
  let pathname: string;
  try {
    pathname = new URL(url, 'http://relative.invalid').pathname;
  } catch {
    return 'unknown';
  }
  const segments = pathname.split('/').filter(Boolean);
  return `/${segments.map((segment) => (ROUTE_WORD.test(segment) ? segment : ':id')).join('/')}`;
}
