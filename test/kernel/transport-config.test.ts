import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/kernel/config/config-loader.js';
import { isLarkServiceError } from '../../src/kernel/errors.js';
import { TransportManager } from '../../src/kernel/transport/transport-manager.js';
import { captureLogs } from '../support/memory-logger.js';

const APP_YAML = 'app: { appId: cli_a1b2c3d4e5f60718, appSecret: s3cret-value }\n';

function rejection(yaml: string, env: NodeJS.ProcessEnv = {}) {
  try {
    parseConfigText(APP_YAML + yaml, env, 'service.yaml');
  } catch (err) {
    if (isLarkServiceError(err)) return err;
    throw err;
  }
  throw new Error('expected the configuration to be rejected');
}

function managerFor(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const { config } = parseConfigText(APP_YAML + yaml, env);
  return new TransportManager({
    config,
    app: { appId: config.app.appId!, appSecret: config.app.appSecret!, domain: 'http://127.0.0.1:9' },
    sink: { invoke: async () => undefined },
    logger: captureLogs('debug').logger,
    clock: { now: () => Date.now() },
  });
}

describe('transport configuration', () => {
  it('defaults to the long connection', () => {
    const { config } = parseConfigText(APP_YAML);
    expect(config.transport).toBe('long-connection');
    expect(config.webhook).toMatchObject({ port: 8080, path: '/webhook/event', fallbackAfterMs: 60_000 });
  });

  it('requires a verification token for transport: webhook, naming the entry', () => {
    const err = rejection('transport: webhook\n');
    expect(err.code).toBe('LARK_E_CONFIG_INVALID');
    expect(err.message).toContain('webhook.verificationToken: is required with transport: webhook');
  });

  it('requires a verification token when fallbackToWebhook is set to true', () => {
    const err = rejection('fallbackToWebhook: true\n');
    expect(err.message).toContain('webhook.verificationToken: is required with fallbackToWebhook: true');
  });

  it('accepts the app verification token for the webhook', () => {
    const yaml = 'transport: webhook\n';
    expect(() => parseConfigText(
      'app: { appId: cli_a1b2c3d4e5f60718, appSecret: x, verificationToken: vt }\n' + yaml)).not.toThrow();
  });

  it('rejects fallbackToWebhook with transport: webhook', () => {
    const err = rejection('transport: webhook\nfallbackToWebhook: true\nwebhook: { verificationToken: vt }\n');
    expect(err.message).toContain('fallbackToWebhook: applies only with transport: long-connection');
  });

  it('reads webhook settings from the environment, the port as a number', () => {
    const { config } = parseConfigText(APP_YAML +
      'webhook: { port: "${PORT}", verificationToken: "${VT}", encryptKey: "${EK}" }\n',
      { PORT: '9443', VT: 'token-from-env', EK: 'key-from-env' });
    expect(config.webhook).toMatchObject({ port: 9443, verificationToken: 'token-from-env',
      encryptKey: 'key-from-env' });
  });

  it('rejects a path that does not start with / without echoing secrets', () => {
    const err = rejection('webhook: { path: hook, encryptKey: very-secret-key }\n');
    expect(err.message).toContain('webhook.path');
    expect(err.message).not.toContain('very-secret-key');
  });

  it('turns the fallback on by default only when a verification token is configured', () => {
    expect(managerFor('').status().fallbackToWebhook).toBe(false);
    expect(managerFor('webhook: { verificationToken: vt }\n').status().fallbackToWebhook).toBe(true);
    expect(managerFor('fallbackToWebhook: false\nwebhook: { verificationToken: vt }\n')
      .status().fallbackToWebhook).toBe(false);
  });

  it('fails to start transport: webhook on a busy port with LARK_E_WEBHOOK_LISTEN', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const manager = managerFor(
        `transport: webhook\nwebhook: { host: 127.0.0.1, port: ${port}, verificationToken: vt }\n`);
      await expect(manager.start()).rejects.toMatchObject({ code: 'LARK_E_WEBHOOK_LISTEN' });
      expect(manager.status().webhook.state).toBe('failed');
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});
