import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors wherever they appear in a log object. Tokens and secrets must never reach
 * a log line, not even at debug.
 */
export const REDACT_PATHS = [
  'appSecret',
  'app_secret',
  '*.appSecret',
  '*.app_secret',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'refreshToken',
  '*.refreshToken',
  'refresh_token',
  '*.refresh_token',
  'authorization',
  '*.authorization',
  'headers.Authorization',
  '*.headers.Authorization',
];

/** Bearer values, `t-`/`u-`/`ur-`/`c-` tokens and JWTs inside free text. */
const SECRET_IN_TEXT = [
  /(Bearer\s+)[A-Za-z0-9._~+/=-]+/g,
  /\b(?:t|u|ur|c|a)-[A-Za-z0-9_-]{12,}/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g,
  /("?(?:app_?secret|AppSecret|access_token|refresh_token|token)"?\s*[:=]\s*"?)[^",\s}]+/gi,
];

export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_IN_TEXT) {
    out = out.replace(pattern, (match, prefix?: string) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return out;
}

export interface LoggerSettings {
  level: LoggerOptions['level'];
  pretty?: boolean;
  /** Extra secret strings known at start-up (the app secret) to scrub from every line. */
  secrets?: string[];
}

export function createLogger(settings: LoggerSettings, destination?: pino.DestinationStream): Logger {
  const secrets = (settings.secrets ?? []).filter((s) => s.length >= 4);
  const options: LoggerOptions = {
    level: settings.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: serializeError },
    hooks: {
      streamWrite: (line) => scrub(line, secrets),
    },
  };
  if (settings.pretty && !destination && prettyAvailable()) {
    options.transport = {
      target: 'pino-pretty',
      options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
    };
  }
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Errors as an operator needs them. An HTTP client error keeps the status, the platform's code
 * and message and the path, never the request config (headers carry bearer tokens).
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & {
    code?: unknown;
    isAxiosError?: boolean;
    response?: { status?: number; data?: { code?: unknown; msg?: unknown } };
    config?: { method?: string; url?: string };
  };
  const out: Record<string, unknown> = { type: e.name, message: e.message };
  if (e.code !== undefined) out.code = e.code;
  if (e.isAxiosError) {
    out.status = e.response?.status;
    out.platformCode = e.response?.data?.code;
    out.platformMsg = e.response?.data?.msg;
    out.request = `${e.config?.method?.toUpperCase() ?? ''} ${String(e.config?.url ?? '').split('?')[0]}`;
    return out;
  }
  out.stack = e.stack;
  if (e.cause !== undefined) out.cause = serializeError(e.cause);
  return out;
}

/** pino-pretty is a development convenience; without it the JSON lines are written as they are. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

function scrub(line: string, secrets: string[]): string {
  let out = redactText(line);
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}
