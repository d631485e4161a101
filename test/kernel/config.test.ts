import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/kernel/config/config-loader.js';
import { isLarkServiceError } from '../../src/kernel/errors.js';

function configError(yaml: string, env: NodeJS.ProcessEnv = {}) {
  try {
    parseConfigText(yaml, env, 'service.yaml');
  } catch (err) {
    if (isLarkServiceError(err)) return err;
    throw err;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('interpolates ${VAR} and ${VAR:-default} from the environment', () => {
    const { config } = parseConfigText(
      'app: { appId: "${APP_ID}", appSecret: "${SECRET}", domain: "${DOMAIN:-lark}" }',
      { APP_ID: 'cli_a1b2c3d4e5f60718', SECRET: 's3cret' },
    );
    expect(config.app).toMatchObject({ appId: 'cli_a1b2c3d4e5f60718', domain: 'lark' });
  });

  it('trims the app id', () => {
    const { config } = parseConfigText('app: { appId: "  cli_a1b2c3d4e5f60718 ", appSecret: x }');
    expect(config.app.appId).toBe('cli_a1b2c3d4e5f60718');
  });

  it('rejects a malformed app id naming the path and the expected shape', () => {
    const err = configError('app: { appId: cli_123, appSecret: x }');
    expect(err.code).toBe('LARK_E_CONFIG_INVALID');
    expect(err.message).toContain('app.appId: must be "cli_" followed by 16 hex characters');
  });

  it('names the missing environment variable and the path that uses it', () => {
    const err = configError('app: { appId: cli_a1b2c3d4e5f60718, appSecret: "${LARK_SECRET}" }');
    expect(err.code).toBe('LARK_E_CONFIG_ENV');
    expect(err.message).toContain('app.appSecret: environment variable LARK_SECRET is not set');
  });

  it('names the path of an invalid plugin entry', () => {
    const err = configError(
      'emulator: { enabled: true }\nplugins:\n  - use: group-message\n  - use: ""\n',
    );
    expect(err.message).toContain('plugins[1].use: must name a built-in plugin');
  });

  it('requires credentials unless the emulator is enabled', () => {
    const err = configError('plugins: []');
    expect(err.message).toContain('app.appId: is required unless emulator.enabled is true');
    expect(err.message).toContain('app.appSecret: is required');
  });

  it('never echoes a secret value in an error', () => {
    const err = configError('app: { appId: cli_a1b2c3d4e5f60718, appSecret: 12345678 }');
    expect(err.message).toContain('app.appSecret');
    expect(err.message).not.toContain('12345678');
  });

  it('reports YAML syntax errors with the line', () => {
    const err = configError('app:\n  appId: [unclosed\n');
    expect(err.code).toBe('LARK_E_CONFIG_FILE');
    expect(err.message).toMatch(/line \d+/);
  });

  it('rejects unknown keys so that typos do not pass silently', () => {
    const err = configError('emulator: { enabled: true }\ndispatch: { cardBudgetMS: 100 }');
    expect(err.message).toContain('dispatch');
    expect(err.message).toContain('cardBudgetMS');
  });

  it('keeps a card budget inside the platform 3 s', () => {
    const err = configError('emulator: { enabled: true }\ndispatch: { cardBudgetMs: 3500 }');
    expect(err.message).toContain('dispatch.cardBudgetMs');
  });
});
