import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLarkServiceError } from '../../src/kernel/errors.js';
import type { KernelStatus } from '../../src/kernel/kernel.js';
import { KernelMetrics } from '../../src/kernel/ops/metrics.js';
import { routeTemplate } from '../../src/kernel/ops/openapi-metrics.js';
import { OpsServer } from '../../src/kernel/ops/ops-server.js';
import { checkReadiness } from '../../src/kernel/ops/readiness.js';
import { captureLogs } from '../support/memory-logger.js';

const readyStatus: KernelStatus = {
  connection: { state: 'ready', attempts: 0, since: Date.now() },
  plugins: [{ id: 'p', name: 'p', state: 'started' }],
  inFlight: 0,
};

describe('OpenAPI route templates', () => {
  it.each([
    [
      'http://127.0.0.1:9/open-apis/im/v1/messages/om_0a1b2c3d4e5f60718293a4b5c6d7e8f9/reply',
      '/open-apis/im/v1/messages/:id/reply',
    ],
    [
      'https://open.feishu.cn/open-apis/im/v1/messages?receive_id_type=chat_id',
      '/open-apis/im/v1/messages',
    ],
    [
      '/open-apis/auth/v3/tenant_access_token/internal',
      '/open-apis/auth/v3/tenant_access_token/internal',
    ],
    [
      '/open-apis/contact/v3/users/ou_7d8a6e6df7621556ce0d21922b676706ccs',
      '/open-apis/contact/v3/users/:id',
    ],
    [undefined, 'unknown'],
  ])('reads %s as %s', (url, template) => {
    expect(routeTemplate(url)).toBe(template);
  });
});

describe('metric catalogue', () => {
  it('gives each kernel its own registry, so two kernels in one process do not clash', async () => {
    const first = new KernelMetrics();
    const second = new KernelMetrics();
    first.eventsReceived.inc({ event_type: 'a' });
    expect(await second.scrape()).not.toContain('event_type="a"');
  });

  it('returns the same metric when a plugin asks again with the same kind and labels', () => {
    const metrics = new KernelMetrics().catalogue.forOwner('auth');
    const spec = {
      name: 'lark_service_auth_sessions_total', help: 'h', labelNames: ['state'] as const,
    };
    expect(metrics.counter(spec)).toBe(metrics.counter(spec));
  });

  it.each([
    ['a kernel series', 'lark_service_events_received_total', 'counter'],
    ['a process series', 'process_cpu_user_seconds_total', 'counter'],
    ['another plugin series', 'lark_service_auth_sessions_total', 'counter'],
    ['the same name as another kind', 'lark_service_other_total', 'gauge'],
    ['an invalid name', 'lark-service-bad', 'counter'],
  ])('refuses %s with LARK_E_METRIC_REGISTRATION', (_what, name, kind) => {
    const catalogue = new KernelMetrics().catalogue;
    catalogue.forOwner('auth').counter({ name: 'lark_service_auth_sessions_total', help: 'h' });
    catalogue.forOwner('other').counter({ name: 'lark_service_other_total', help: 'h' });
    const plugin = catalogue.forOwner('other');
    const register = () =>
      kind === 'gauge' ? plugin.gauge({ name, help: 'h' }) : plugin.counter({ name, help: 'h' });
    expect(register).toThrow(expect.objectContaining({ code: 'LARK_E_METRIC_REGISTRATION' }));
  });
});

describe('readiness', () => {
  it('is not ready, naming the store, when the store does not answer in time', async () => {
    const source = { status: () => readyStatus, pingStore: () => new Promise<void>(() => {}) };
    const readiness = await checkReadiness(source, 50);
    expect(readiness.ready).toBe(false);
    expect(readiness.store).toEqual({ ok: false, error: 'timed out after 50 ms' });
  });

  it('is ready when the connection is ready and the store answers', async () => {
    const source = { status: () => readyStatus, pingStore: async () => {} };
    const readiness = await checkReadiness(source, 50);
    const { plugins } = readyStatus;
    expect(readiness).toMatchObject({ ready: true, store: { ok: true }, plugins });
  });
});

describe('operations listener', () => {
  it('fails with LARK_E_OPS_LISTEN, naming the address, when the port is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const handlers = {
      readiness: () => Promise.reject(new Error('unused')),
      metrics: async () => ({ contentType: '', text: '' }),
    };
    try {
      const settings = { host: '127.0.0.1', port };
      const error = await OpsServer.listen(settings, handlers, captureLogs().logger)
        .then(() => undefined, (err: unknown) => err);
      expect(isLarkServiceError(error, 'LARK_E_OPS_LISTEN')).toBe(true);
      expect((error as Error).message).toContain(`127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      taken.close();
    }
  });
});
