import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Emulator } from '../../src/emulator/index.js';
import { APP } from '../support/kernel-harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const slowHandler = path.join(root, 'test/fixtures/plugins/slow-handler.mjs');
const EVENT_TYPE = 'im.chat.member.bot.added_v1';

let emulator: Emulator;
let buildDir: string;
let children: ChildProcess[] = [];

/**
 * The CLI as it ships: compiled by tsc into a folder under node_modules (so the dependencies
 * resolve), run by node in a child process that gets real signals.
 */
beforeAll(async () => {
  await mkdir(path.join(root, 'node_modules/.cache'), { recursive: true });
  buildDir = await mkdtemp(path.join(root, 'node_modules/.cache/lark-cli-'));
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [
    tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', buildDir,
    '--declaration', 'false', '--sourceMap', 'false',
  ], { cwd: root });
  await writeFile(path.join(buildDir, 'package.json'), '{ "type": "module" }\n');
  emulator = await Emulator.start({ apps: [APP] });
}, 180_000);

afterEach(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children = [];
});

afterAll(async () => {
  await emulator?.stop();
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

interface RunningCli {
  child: ChildProcess;
  exited: Promise<number | null>;
  logs: () => string;
  journal: () => Promise<string[]>;
  release: () => Promise<void>;
}

const noConnection = () => expect(emulator.connections(APP.appId)).toHaveLength(0);

async function startCli(name: string, drainTimeoutMs: number): Promise<RunningCli> {
  await vi.waitFor(noConnection, { timeout: 10_000 });
  const dir = await mkdtemp(path.join(buildDir, `${name}-`));
  const journal = path.join(dir, 'journal.txt');
  const release = path.join(dir, 'release');
  const config = path.join(dir, 'config.yaml');
  await writeFile(config, `
app: { appId: ${APP.appId}, appSecret: ${APP.appSecret}, domain: "${emulator.baseUrl}" }
store: { type: memory }
logging: { level: info, pretty: false }
shutdown: { drainTimeoutMs: ${drainTimeoutMs} }
plugins:
  - use: ${slowHandler}
    options: { journal: "${journal}", release: "${release}", eventType: ${EVENT_TYPE} }
`);
  const cli = path.join(buildDir, 'src/kernel/cli.js');
  const child = spawn(process.execPath, [cli, 'start', '--config', config], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += String(chunk)));
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await emulator.waitForConnections(1, { appId: APP.appId, timeoutMs: 30_000 });
  return {
    child,
    exited,
    logs: () => output,
    journal: async () =>
      existsSync(journal) ? (await readFile(journal, 'utf8')).split('\n').filter(Boolean) : [],
    release: () => writeFile(release, ''),
  };
}

async function startSlowEvent(cli: RunningCli, eventId: string): Promise<void> {
  const header = {
    event_id: eventId, event_type: EVENT_TYPE, create_time: String(Date.now()), app_id: APP.appId,
  };
  const ack = await emulator.pushEvent({ schema: '2.0', header, event: { chat_id: 'oc_stop' } });
  expect(ack.code).toBe(200);
  const handlerStarted = async () => expect(await cli.journal()).toEqual([`started ${eventId}`]);
  await vi.waitFor(handlerStarted, { timeout: 10_000 });
}

describe('graceful shutdown of the CLI', () => {
  it('on SIGTERM closes the connection, lets the handler finish, stops plugins', async () => {
    const cli = await startCli('finish', 60_000);
    await startSlowEvent(cli, 'evt_shutdown_1');

    cli.child.kill('SIGTERM');
    await vi.waitFor(noConnection, { timeout: 10_000 });
    expect(cli.child.exitCode).toBeNull();
    await cli.release();

    expect(await cli.exited).toBe(0);
    expect(await cli.journal()).toEqual([
      'started evt_shutdown_1', 'finished evt_shutdown_1', 'stopped',
    ]);
    expect(cli.logs()).toContain('"msg":"kernel stopped"');
  }, 60_000);

  it('forces exit on a second signal, without waiting for the handler', async () => {
    const cli = await startCli('force', 60_000);
    await startSlowEvent(cli, 'evt_shutdown_2');

    cli.child.kill('SIGTERM');
    const stopping = () => expect(cli.logs()).toContain('send the signal again to force');
    await vi.waitFor(stopping, { timeout: 10_000 });
    cli.child.kill('SIGTERM');

    expect(await cli.exited).toBe(130);
    expect(await cli.journal()).toEqual(['started evt_shutdown_2']);
  }, 60_000);

  it('stops the plugins at the drain deadline when a handler overruns it; exits 0', async () => {
    const cli = await startCli('deadline', 300);
    await startSlowEvent(cli, 'evt_shutdown_3');

    cli.child.kill('SIGTERM');

    expect(await cli.exited).toBe(0);
    expect(await cli.journal()).toEqual(['started evt_shutdown_3', 'stopped']);
    expect(cli.logs()).toContain('stopped before in-flight work ended');
  }, 60_000);
});
