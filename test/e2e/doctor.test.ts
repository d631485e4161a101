import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulator/index.js';
import { doctor } from '../../src/kernel/commands/doctor.js';
import { APP } from '../support/kernel-harness.js';

const plugins = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/plugins');
const WRONG_SECRET = 'not-the-secret-of-this-app';

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await Emulator.start({ apps: [APP] });
  dir = await mkdtemp(path.join(os.tmpdir(), 'lark-doctor-'));
});
afterAll(async () => {
  await emulator?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Overrides {
  secret?: string;
  store?: string;
  recorderOptions?: string;
  domain?: string;
}

async function runDoctor(name: string, overrides: Overrides = {}) {
  const file = path.join(dir, `${name}.yaml`);
  const secret = overrides.secret ?? APP.appSecret;
  await writeFile(file, `
app: { appId: ${APP.appId}, appSecret: ${secret}, domain: "${overrides.domain ?? emulator.baseUrl}" }
store: ${overrides.store ?? '{ type: memory }'}
plugins:
  - use: group-message
  - use: ${path.join(plugins, 'recorder.ts')}
    options: ${overrides.recorderOptions ?? '{ eventTypes: [im.message.receive_v1] }'}
`);
  let output = '';
  const out = new Writable({
    write(chunk, _encoding, done) {
      output += String(chunk);
      done();
    },
  });
  const exitCode = await doctor(['--config', file], out);
  return { exitCode, output };
}

/** The report line of one check, with the indented lines that follow it. */
function check(output: string, name: string): string {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.slice(8).startsWith(name));
  if (start < 0) throw new Error(`no check "${name}" in:\n${output}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => !line.startsWith('        '));
  return [lines[start], ...rest.slice(0, end)].join('\n');
}

async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('lark-service doctor', () => {
  it('passes every check it can make for a sound configuration, and exits 0', async () => {
    const { exitCode, output } = await runDoctor('sound');
    expect(exitCode).toBe(0);
    for (const name of ['configuration', 'credentials', 'endpoint discovery', 'store',
      'plugin group-message', 'plugin recorder', 'plugin order']) {
      expect(check(output, name)).toMatch(/^ {2}ok /);
    }
    expect(output).not.toContain(APP.appSecret);
  });

  it('reports how many live connections the platform counts for the app', async () => {
    const { output } = await runDoctor('sound-count');
    expect(check(output, 'live connections')).toMatch(/^ {2}ok .*\b0\b/);
  });

  it('says the live-connection check was not possible when no count is reported', async () => {
    const silent = await Emulator.start({ apps: [APP], reportLiveConnections: false });
    try {
      const { output } = await runDoctor('no-count', { domain: silent.baseUrl });
      expect(check(output, 'live connections')).toMatch(/^ {2}skip .*not possible/);
    } finally {
      await silent.stop();
    }
  });

  it('reports a wrong secret with its fix, never printing the secret, and exits 1', async () => {
    const { exitCode, output } = await runDoctor('wrong-secret', { secret: WRONG_SECRET });
    expect(exitCode).toBe(1);
    const credentials = check(output, 'credentials');
    expect(credentials).toMatch(/^ {2}FAIL .*refused the credentials of cli_a1b2c3d4e5f60718/);
    expect(credentials).toContain('fix: copy App ID and App Secret from the developer console');
    expect(check(output, 'endpoint discovery')).toMatch(/^ {2}FAIL .*code 514/);
    expect(output).not.toContain(WRONG_SECRET);
  });

  it('reports an unreachable store with its fix', async () => {
    const port = await closedLoopbackPort();
    const { exitCode, output } = await runDoctor('no-redis', {
      store: `{ type: redis, url: "redis://127.0.0.1:${port}" }`,
    });
    expect(exitCode).toBe(1);
    const store = check(output, 'store');
    expect(store).toMatch(/^ {2}FAIL .*LARK_E_STORE_UNAVAILABLE: cannot connect to Redis/);
    expect(store).toContain(`redis://127.0.0.1:${port}`);
    expect(store).toContain('fix: start Redis at that address, or fix store.url');
  });

  it("reports invalid plugin options with the option's path and its fix", async () => {
    const recorderOptions = '{ eventTypes: [] }';
    const { exitCode, output } = await runDoctor('bad-options', { recorderOptions });
    expect(exitCode).toBe(1);
    expect(check(output, 'plugin group-message')).toMatch(/^ {2}ok /);
    const recorder = check(output, 'plugin recorder');
    expect(recorder).toMatch(/^ {2}FAIL .*LARK_E_PLUGIN_OPTIONS: invalid options for plugin/);
    expect(recorder).toContain('plugins[1].options.eventTypes');
    expect(recorder).toContain("fix: fix the options listed; the plugin's documentation");
    expect(output).not.toContain('plugin order');
  });

  it('stops at a configuration that does not load, saying what to fix', async () => {
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'app: { appId: "not-an-app-id" }\nunknownKey: 1\n');
    let output = '';
    const out = new Writable({ write(chunk, _e, done) { output += String(chunk); done(); } });
    expect(await doctor(['--config', file], out)).toBe(1);
    expect(check(output, 'configuration')).toContain('LARK_E_CONFIG_INVALID');
    expect(output).toContain('fix: fix each path listed');
    expect(output).not.toContain('credentials');
  });
});
