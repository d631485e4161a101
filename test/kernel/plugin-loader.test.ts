import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootContainer as container } from '../../src/kernel/container.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/kernel/config/config-loader.js';
import { HandlerRegistry } from '../../src/kernel/dispatch/handler-registry.js';
import { isLarkServiceError, type LarkServiceError } from '../../src/kernel/errors.js';
import type { LarkClient } from '../../src/kernel/lark-client.js';
import { PluginHost } from '../../src/kernel/plugins/plugin-host.js';
import { openStorage } from '../../src/kernel/store/storage.js';
import { systemClock } from '../../src/kernel/clock.js';
import { started, stopped } from '../fixtures/plugins/graph.js';
import { captureLogs } from '../support/memory-logger.js';

const configDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/configs');

async function hostFor(yaml: string) {
  const { config, baseDir } = parseConfigText(yaml, {}, path.join(configDir, 'inline.yaml'));
  const host = new PluginHost({
    root: container.createChildContainer(),
    registry: new HandlerRegistry(),
    storage: await openStorage({ type: 'memory', prefix: 't' }, systemClock),
    lark: {} as LarkClient,
    clock: systemClock,
    logger: captureLogs().logger,
    appId: 'cli_0000000000000001',
  });
  return { host, load: () => host.load(config.plugins, baseDir) };
}

async function loadError(yaml: string): Promise<LarkServiceError> {
  const { host, load } = await hostFor(yaml);
  try {
    await load();
    await host.startAll();
  } catch (err) {
    if (isLarkServiceError(err)) return err;
    throw err;
  }
  throw new Error('expected start-up to fail');
}

const yaml = (...entries: string[]) =>
  `emulator: { enabled: true }\nplugins:\n${entries.map((e) => `  - ${e}`).join('\n')}\n`;

describe('plugin loader', () => {
  beforeEach(() => {
    started.length = 0;
    stopped.length = 0;
  });

  it('starts providers before the plugins that require them, and stops in reverse', async () => {
    const { host, load } = await hostFor(yaml('use: ../plugins/beta.ts', 'use: ../plugins/alpha.ts'));
    await load();
    await host.startAll();
    await host.stopAll();
    expect(started).toEqual(['alpha', 'beta<-alpha']);
    expect(stopped).toEqual(['beta', 'alpha']);
  });

  it('names the entry of an unknown plugin and how to fix it', async () => {
    const err = await loadError(yaml('use: group-message', 'use: no-such-plugin'));
    expect(err.code).toBe('LARK_E_PLUGIN_NOT_FOUND');
    expect(err.message).toContain('plugins[1]: plugin "no-such-plugin" not found');
    expect(err.message).toContain('npm install no-such-plugin');
  });

  it('names the missing file of a plugin given by path', async () => {
    const err = await loadError(yaml('use: ./missing.js'));
    expect(err.message).toMatch(/plugins\[0\]: plugin "\.\/missing\.js" not found: no file/);
  });

  it('names the whole dependency cycle', async () => {
    const err = await loadError(yaml('use: ../plugins/cyclic-alpha.ts', 'use: ../plugins/beta.ts'));
    expect(err.code).toBe('LARK_E_PLUGIN_CYCLE');
    expect(err.message).toContain('cyclic-alpha -> beta -> cyclic-alpha');
  });

  it('names the plugin whose required service nobody provides', async () => {
    const err = await loadError(yaml('use: ../plugins/beta.ts'));
    expect(err.code).toBe('LARK_E_PLUGIN_MISSING_PROVIDER');
    expect(err.message).toContain('plugins[0] (beta) requires service "test.alpha"');
  });

  it('reports invalid plugin options with their path in the file', async () => {
    const err = await loadError(yaml('use: ../plugins/recorder.ts\n    options: { eventTypes: [] }'));
    expect(err.code).toBe('LARK_E_PLUGIN_OPTIONS');
    expect(err.message).toContain('plugins[0].options.eventTypes');
  });

  it('rejects unknown options of a built-in plugin', async () => {
    const err = await loadError(yaml('use: group-message\n    options: { prefix: "!" }'));
    expect(err.code).toBe('LARK_E_PLUGIN_OPTIONS');
    expect(err.message).toContain('plugins[0].options');
  });

  it('stops start-up naming a plugin whose start never finishes', async () => {
    const err = await loadError(yaml('use: ../plugins/slow.ts'));
    expect(err.code).toBe('LARK_E_PLUGIN_START_TIMEOUT');
    expect(err.message).toContain('plugins[0] (slow) did not start within 50 ms');
  });

  it('allows two instances of one plugin with distinct ids', async () => {
    const { host, load } = await hostFor(
      yaml(
        'use: ../plugins/recorder.ts\n    id: first\n    options: { eventTypes: [a] }',
        'use: ../plugins/recorder.ts\n    id: second\n    options: { eventTypes: [a] }',
      ),
    );
    await load();
    await host.startAll();
    expect(host.states().map((p) => [p.id, p.state])).toEqual([
      ['first', 'started'],
      ['second', 'started'],
    ]);
  });

  it('rejects two entries with the same id', async () => {
    const err = await loadError(
      yaml('use: ../plugins/alpha.ts', 'use: ../plugins/alpha.ts'),
    );
    expect(err.code).toBe('LARK_E_PLUGIN_DUPLICATE_ID');
    expect(err.message).toContain('plugins[1]: plugin id "alpha" is already used by plugins[0]');
  });
});
