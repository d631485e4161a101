import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/config-loader.js';
import type { ParkedEvent } from '../delivery/dead-letter-store.js';
import { Kernel } from '../kernel.js';
import { createLogger } from '../logger.js';

export const REPLAY_USAGE =
  '  lark-service replay --config <file> [--list] [--event <id>] [--plugin <id>]\n' +
  '                                         list or re-run events parked in the dead-letter store';

export interface ReplayOutput {
  write(text: string): void;
}

/**
 * `lark-service replay`: starts the configured plugins without the long connection, then lists
 * the parked events (--list) or runs each parked (event, plugin) again under the plugin's retry
 * policy. An event that succeeds leaves the store; one that fails again stays, with its new
 * error. Returns the exit code: 0 when nothing is left failing.
 */
export async function replay(args: string[], out: ReplayOutput = process.stdout): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      list: { type: 'boolean', default: false },
      event: { type: 'string' },
      plugin: { type: 'string' },
    },
  });
  if (!values.config) {
    out.write(`replay needs --config <file>\nUsage:\n${REPLAY_USAGE}\n`);
    return 2;
  }
  const loaded = await loadConfigFile(values.config);
  const { config } = loaded;
  const logger = createLogger({ level: config.logging.level, pretty: false,
    secrets: config.app.appSecret ? [config.app.appSecret] : [] });
  const app = { appId: config.app.appId ?? 'cli_0000000000000000',
    appSecret: config.app.appSecret ?? '', domain: config.app.domain };
  const kernel = new Kernel({ config, app, logger, baseDir: loaded.baseDir, connect: false });
  await kernel.start();
  try {
    const parked = (await kernel.dispatcher.deadLetters.list()).filter(
      (entry) => (!values.event || entry.eventId === values.event) &&
        (!values.plugin || entry.plugin === values.plugin),
    );
    if (values.list) {
      for (const entry of parked) out.write(`${describe(entry)}\n`);
      out.write(`${parked.length} parked event(s)\n`);
      return 0;
    }
    return await rerun(kernel, parked, out);
  } finally {
    await kernel.stop();
  }
}

async function rerun(kernel: Kernel, parked: ParkedEvent[], out: ReplayOutput): Promise<number> {
  let failed = 0;
  for (const entry of parked) {
    const ok = await kernel.dispatcher.processor.replay(entry.plugin, entry.event);
    if (!ok) failed++;
    out.write(`${ok ? 'replayed' : 'failed again'}  ${describe(entry)}\n`);
  }
  out.write(`${parked.length - failed} replayed, ${failed} still parked\n`);
  return failed === 0 ? 0 : 1;
}

function describe(entry: ParkedEvent): string {
  const when = new Date(entry.parkedAt).toISOString();
  const { code, message } = entry.error;
  const error = code ? `${code}: ${message}` : message;
  return `${entry.eventId}  ${entry.eventType}  plugin=${entry.plugin}` +
    `  attempts=${entry.attempts}` +
    `  parked=${when}  error=${error}`;
}
