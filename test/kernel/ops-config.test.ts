import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/kernel/config/config-loader.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('operations configuration', () => {
  it('keeps the listener off by default, on loopback 9464 when enabled; drains for 30 s', () => {
    const { config } = parseConfigText('emulator: { enabled: true }\nops: { enabled: true }');
    expect(config.ops).toMatchObject({ enabled: true, host: '127.0.0.1', port: 9464 });
    expect(parseConfigText('emulator: { enabled: true }').config.ops.enabled).toBe(false);
    expect(config.shutdown.drainTimeoutMs).toBe(30_000);
  });

  it('takes ops.port from an environment variable', () => {
    const yaml = 'emulator: { enabled: true }\nops: { port: "${OPS_PORT}" }';
    const { config } = parseConfigText(yaml, { OPS_PORT: '9500' });
    expect(config.ops.port).toBe(9500);
  });

  it('rejects an ops.port that is not a port, naming the path', () => {
    const yaml = 'emulator: { enabled: true }\nops: { port: "http" }';
    expect(() => parseConfigText(yaml)).toThrow(/ops\.port/);
  });

  it('enables the listener in the production example', () => {
    const text = readFileSync(path.join(root, 'config/production.example.yaml'), 'utf8');
    const env = {
      LARK_APP_ID: 'cli_a1b2c3d4e5f60718',
      LARK_APP_SECRET: 's',
      LARK_TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    };
    const { config } = parseConfigText(text, env);
    expect(config.ops).toMatchObject({ enabled: true, host: '127.0.0.1', port: 9464 });
  });
});
