import { serializeError, type Logger } from './logger.js';

type LogMethod = (args: unknown) => void;
export interface SdkLogger {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  trace: LogMethod;
}

/**
 * The SDK calls each level with one argument, an array of what it logged
 * (`logger.info(['[ws]', 'ws client ready'])`). This joins it into one message on a child
 * logger, so SDK lines share our format and our redaction.
 */
export function createSdkLogger(logger: Logger): SdkLogger {
  const sdk = logger.child({ source: 'lark-sdk' });
  const format = (args: unknown): string =>
    (Array.isArray(args) ? args : [args]).map(describe).join(' ');
  return {
    // The SDK logs every failed HTTP call at error and then rethrows it to the caller, which
    // logs it at the level it deserves; the SDK's copy is detail.
    error: (args) => (hasHttpError(args) ? sdk.debug(format(args)) : sdk.error(format(args))),
    warn: (args) => sdk.warn(format(args)),
    info: (args) => {
      const message = format(args);
      // The SDK prints a multi-line console how-to on every start; it is not news at info.
      if (message.includes(CONSOLE_HINT)) sdk.debug(message);
      else sdk.info(message);
    },
    // The SDK's debug lines dump whole event payloads (card tokens included): keep them at trace.
    debug: (args) => sdk.trace(format(args)),
    trace: (args) => sdk.trace(format(args)),
  };
}

function hasHttpError(args: unknown): boolean {
  const list = Array.isArray(args) ? args.flat() : [args];
  return list.some((value) => (value as { isAxiosError?: boolean } | null)?.isAxiosError === true);
}

const CONSOLE_HINT = 'receive events or callbacks through persistent connection';

/**
 * Errors, also inside arrays (the SDK logs `[err]`), become what serializeError keeps: an HTTP
 * error's status, platform code and path, never its request config and bearer header.
 */
function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(describe).join(' ');
  if (value instanceof Error) {
    const isHttp = (value as { isAxiosError?: boolean }).isAxiosError === true;
    return isHttp ? JSON.stringify(serializeError(value)) : value.message;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
