import { z } from 'zod';

/** A boolean that may also come from an environment variable as "true" or "false". */
const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false']).transform((text) => text === 'true'),
]);

export const APP_ID_PATTERN = /^cli_[0-9a-fA-F]{16}$/;

const appId = z
  .string()
  .trim()
  .regex(APP_ID_PATTERN, {
    message:
      'must be "cli_" followed by 16 hex characters, as shown in the developer console ' +
      '(Credentials & Basic Info)',
  });

const domain = z.union([
  z.enum(['feishu', 'lark']),
  z.url({ message: 'must be "feishu", "lark" or a base URL such as http://127.0.0.1:9900' }),
]);

const appSchema = z.strictObject({
  appId: appId.optional(),
  appSecret: z.string().min(1, 'must not be empty').optional(),
  domain: domain.default('feishu'),
  verificationToken: z.string().optional(),
});

const emulatorSchema = z.strictObject({
  enabled: z.boolean().default(false),
  port: z.number().int().min(0).max(65535).default(0),
  /** Synthetic users talking to the bot, so the embedded default shows events flowing. */
  demoTraffic: z
    .strictObject({ intervalMs: z.number().int().min(100).default(5000) })
    .optional(),
});

const storeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('memory'), prefix: z.string().default('lark-service') }),
  z.strictObject({
    type: z.literal('sqlite'),
    path: z.string().min(1).default('./data/lark-service.db'),
    prefix: z.string().default('lark-service'),
  }),
  z.strictObject({
    type: z.literal('redis'),
    url: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'),
    prefix: z.string().default('lark-service'),
  }),
]);

const connectionSchema = z.strictObject({
  /** Seconds without any inbound frame after a ping before the socket is declared dead. */
  pingTimeoutSeconds: z.number().int().min(1).default(10),
  handshakeTimeoutMs: z.number().int().min(100).default(10_000),
  /**
   * Staleness probe: a ready connection that has carried no event for this long is replaced,
   * since pongs can keep flowing on a path where the platform stopped pushing. 0 turns it off.
   */
  silenceRestartSeconds: z.number().int().min(0).default(3_600),
  backoff: z
    .strictObject({
      initialMs: z.number().int().min(10).default(1_000),
      maxMs: z.number().int().min(10).default(60_000),
    })
    .prefault({}),
});

/** How often a failing handler runs in all, and the backoff between runs. */
export const retrySchema = z.strictObject({
  attempts: z.number().int().min(1).max(100).default(3),
  backoffMs: z.number().int().min(0).default(1_000),
  maxBackoffMs: z.number().int().min(0).default(30_000),
});

const dispatchSchema = z.strictObject({
  /** A card callback must be answered well inside the platform's 3 s. */
  cardBudgetMs: z.number().int().min(100).max(2_900).default(2_500),
  /** Longer than the platform's last re-push (6 h after the first failure). */
  dedupTtlSeconds: z.number().int().min(60).default(7 * 3600 + 600),
  handlerConcurrency: z.number().int().min(1).max(1_000).default(8),
  handlerTimeoutMs: z.number().int().min(100).default(60_000),
  /**
   * How a JSON 2.0 card returned by a card-action handler reaches the user: 'patch' answers the
   * click with the toast and PATCHes the message right after; 'inline' puts it in the answer.
   */
  schema2Cards: z.enum(['patch', 'inline']).default('patch'),
  /** Events created longer ago than this are flagged stale (plugins may opt out of them). */
  staleAfterSeconds: z.number().int().min(1).default(600),
  /** Redis only: a journal entry idle this long on a dead instance is taken over by another. */
  recoverIdleMs: z.number().int().min(1_000).default(30_000),
  /** The retry policy of plugin entries that set none. */
  retry: retrySchema.prefault({}),
});

/** A TCP port, also when it comes from an environment variable as text. */
const port = z.union([
  z.number(),
  z.string().regex(/^\d+$/, 'must be a port number').transform(Number),
]).pipe(z.number().int().min(0).max(65535));

/** The platform's HTTP event delivery (see docs/transports.md). */
const webhookSchema = z.strictObject({
  host: z.string().min(1).default('0.0.0.0'),
  port: port.default(8080),
  path: z.string()
    .regex(/^\/[^?#\s]*$/, 'must be a URL path starting with /')
    .default('/webhook/event'),
  /** The address the console must call, when a proxy or load balancer sits in front. */
  publicUrl: z.url({ message: 'must be an absolute URL such as https://bot.example.com/hook' })
    .optional(),
  /** Defaults to app.verificationToken. */
  verificationToken: z.string().min(1, 'must not be empty').optional(),
  /** Set it exactly when the console's Encrypt Key is set; requests must then be signed. */
  encryptKey: z.string().min(1, 'must not be empty').optional(),
  /** How long the long connection may be down before the fallback listener starts. */
  fallbackAfterMs: z.number().int().min(0).default(60_000),
  /** Signed requests whose timestamp is further off than this are refused as replays. */
  maxClockSkewSeconds: z.number().int().min(1).default(300),
});

const loggingSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  pretty: flag.default(false),
});

/** The operations listener: /healthz, /readyz, /metrics. Loopback unless told otherwise. */
const opsSchema = z.strictObject({
  enabled: flag.default(false),
  host: z.string().trim().min(1).default('127.0.0.1'),
  port: port.default(9464),
  /** /readyz reports the store unready when its ping takes longer. */
  storePingTimeoutMs: z.number().int().min(50).default(2_000),
});

const shutdownSchema = z.strictObject({
  /** How long in-flight handlers get to finish after a stop signal before plugins stop. */
  drainTimeoutMs: z.number().int().min(0).default(30_000),
});

export const pluginEntrySchema = z.strictObject({
  use: z.string().trim().min(1, 'must name a built-in plugin, a ./path or an npm package'),
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, ".", "_" or "-"')
    .optional(),
  enabled: z.boolean().default(true),
  options: z.record(z.string(), z.unknown()).default({}),
  /** Retry policy for this plugin's event handlers; dispatch.retry applies otherwise. */
  retry: retrySchema.optional(),
});

export const configSchema = z
  .strictObject({
    app: appSchema.prefault({}),
    emulator: emulatorSchema.prefault({}),
    store: storeSchema.default({ type: 'memory', prefix: 'lark-service' }),
    connection: connectionSchema.prefault({}),
    dispatch: dispatchSchema.prefault({}),
    logging: loggingSchema.prefault({}),
    transport: z.enum(['long-connection', 'webhook']).default('long-connection'),
    /** Unset means on when a verification token is configured (docs/transports.md). */
    fallbackToWebhook: flag.optional(),
    webhook: webhookSchema.prefault({}),
    ops: opsSchema.prefault({}),
    shutdown: shutdownSchema.prefault({}),
    plugins: z.array(pluginEntrySchema).default([]),
  })
  .superRefine((config, ctx) => {
    if (config.emulator.enabled) return;
    for (const key of ['appId', 'appSecret'] as const) {
      if (config.app[key] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['app', key],
          message: `is required unless emulator.enabled is true; set it, e.g. ${key}: \${LARK_${
            key === 'appId' ? 'APP_ID' : 'APP_SECRET'
          }}`,
        });
      }
    }
  })
  .superRefine(checkTransport);

interface TransportChoice {
  transport: 'long-connection' | 'webhook';
  fallbackToWebhook?: boolean;
  app: { verificationToken?: string };
  webhook: { verificationToken?: string };
}

function checkTransport(config: TransportChoice, ctx: z.RefinementCtx): void {
  if (config.transport === 'webhook' && config.fallbackToWebhook !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['fallbackToWebhook'],
      message: 'applies only with transport: long-connection; remove it',
    });
  }
  const needsToken = config.transport === 'webhook' || config.fallbackToWebhook === true;
  if (needsToken && !(config.webhook.verificationToken ?? config.app.verificationToken)) {
    const choice = config.transport === 'webhook'
      ? 'transport: webhook'
      : 'fallbackToWebhook: true';
    ctx.addIssue({
      code: 'custom',
      path: ['webhook', 'verificationToken'],
      message:
        `is required with ${choice}; copy the Verification Token from the console ` +
        '(Events & Callbacks > Encryption Strategy), e.g. ' +
        'verificationToken: ${LARK_VERIFICATION_TOKEN}',
    });
  }
}

export type KernelConfig = z.output<typeof configSchema>;
export type PluginEntry = z.output<typeof pluginEntrySchema>;
export type StoreConfig = KernelConfig['store'];
export type RetryPolicy = z.output<typeof retrySchema>;
