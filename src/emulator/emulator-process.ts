import { readFile } from 'node:fs/promises';

import { pino, type Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { Emulator } from './emulator.js';
import { EmulatorError, EmulatorErrorCode } from './errors.js';
import type { EmulatorOptions } from './types.js';

/** The app a bare `lark-service emulator` serves, matching the offline default config. */
export const DEFAULT_EMULATOR_APP = {
  appId: 'cli_0000000000000001',
  appSecret: 'emulator-secret',
} as const;

export interface EmulatorProcessArgs {
  host?: string;
  port?: number;
  /** YAML or JSON file holding EmulatorOptions (everything but `logger`). */
  configFile?: string;
  /** Where the start line goes; defaults to stdout. */
  print?: (line: string) => void;
  /** Defaults to pino on stdout at LOG_LEVEL (info). */
  logger?: Logger;
}

const fileSchema = z.object({
  host: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  apps: z.array(z.object({ appId: z.string(), appSecret: z.string(),
    verificationToken: z.string().optional(), tenantKey: z.string().optional(),
    bot: z.object({ openId: z.string(), appName: z.string() }).optional() })).optional(),
  bot: z.object({ openId: z.string(), appName: z.string() }).optional(),
  cardFrameType: z.enum(['event', 'card']).optional(),
  ackTimeoutMs: z.number().positive().optional(),
  repush: z.object({ enabled: z.boolean(), delaysMs: z.array(z.number().nonnegative()) })
    .optional(),
  clientConfig: z.object({ PingInterval: z.number(), ReconnectCount: z.number(),
    ReconnectInterval: z.number(), ReconnectNonce: z.number() }).optional(),
  tenantTokenTtlSeconds: z.number().positive().optional(),
  maxConnectionsPerApp: z.number().int().positive().optional(),
  discoveryAuthFailedCode: z.number().int().optional(),
  handshakeRejectStatus: z.number().int().optional(),
  pongPayload: z.enum(['client-config', 'empty']).optional(),
});

/**
 * Runs the emulator as a long-lived process (`lark-service emulator --port 9900`): loads
 * the optional config file, logs with pino to stdout, prints the base URL and stops
 * cleanly on SIGINT/SIGTERM. Command-line host/port win over the file.
 */
export async function startEmulatorProcess(args: EmulatorProcessArgs = {}): Promise<Emulator> {
  const fromFile = args.configFile ? await loadConfigFile(args.configFile) : {};
  const options: EmulatorOptions = {
    ...fromFile,
    apps: fromFile.apps && fromFile.apps.length > 0 ? fromFile.apps : [{ ...DEFAULT_EMULATOR_APP }],
    host: args.host ?? fromFile.host ?? '127.0.0.1',
    port: args.port ?? fromFile.port ?? 0,
    logger: args.logger ?? pino({ name: 'emulator', level: process.env['LOG_LEVEL'] ?? 'info' }),
  };
  const emulator = await Emulator.start(options);
  (args.print ?? ((line) => process.stdout.write(`${line}\n`)))(
    `lark emulator listening on ${emulator.baseUrl}`);

  const shutdown = (): void => void emulator.stop();
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  emulator.once('stopped', () => {
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
  });
  return emulator;
}

async function loadConfigFile(path: string): Promise<z.infer<typeof fileSchema>> {
  const text = await readFile(path, 'utf8');
  const parsed = fileSchema.safeParse(path.endsWith('.json') ? JSON.parse(text) : parseYaml(text));
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new EmulatorError(EmulatorErrorCode.config,
      `emulator config file ${path} is invalid: ${detail.join('; ')}`);
  }
  return parsed.data;
}
