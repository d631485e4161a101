#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfigFile } from './config/config-loader.js';
import { startService } from './bootstrap.js';
import { replay, REPLAY_USAGE } from './commands/replay.js';
import { isLarkServiceError } from './errors.js';
import { redactText } from './logger.js';

const USAGE = `Usage:
  lark-service start --config <file>     run the kernel with the configured plugins
  lark-service doctor --config <file>    check configuration, credentials, store and plugins
  lark-service emulator [--port <port>]  run the platform emulator on its own
  lark-service plugin new <name> [--dir <folder>]  create a plugin folder with a passing test
${REPLAY_USAGE}
  lark-service --help`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start(rest);
    case 'doctor':
      return (await import('./commands/doctor.js')).doctor(rest);
    case 'emulator':
      return emulator(rest);
    case 'plugin':
      return (await import('./commands/plugin-new.js')).pluginCommand(rest);
    case 'replay':
      return replay(rest);
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
  if (!values.config) {
    process.stderr.write(`start needs --config <file>\n${USAGE}\n`);
    return 2;
  }
  const service = await startService(await loadConfigFile(values.config));
  await untilSignal(async () => service.stop(), service.logger);
  // The stop is complete; work abandoned at the drain deadline must not keep the process up.
  process.exit(process.exitCode ?? 0);
}

async function emulator(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string', short: 'p' }, host: { type: 'string' } },
  });
  const { startEmulatorProcess } = await import('../emulator/index.js');
  const running = await startEmulatorProcess({
    port: values.port === undefined ? 9900 : Number(values.port),
    host: values.host,
  });
  await untilSignal(() => running.stop());
  return 0;
}

/** Resolves after a graceful stop on SIGINT/SIGTERM; a second signal exits at once. */
function untilSignal(stop: () => Promise<void>, logger?: { info(o: object, m: string): void }) {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      logger?.info({ signal }, 'stopping; send the signal again to force');
      stop().then(resolve, (err: unknown) => {
        process.stderr.write(`error while stopping: ${describe(err)}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function describe(err: unknown): string {
  const text = isLarkServiceError(err) ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err);
  return redactText(text);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lark-service: ${describe(err)}\n`);
    process.exitCode = 1;
  },
);
