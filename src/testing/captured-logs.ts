import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../kernel/logger.js';

export interface CapturedLogs {
  logger: Logger;
  /** Every line so far, parsed. */
  lines: () => Record<string, unknown>[];
  text: () => string;
}

/** A real pino logger (same redaction as production) writing into memory. */
export function captureLogs(level = 'debug', secrets: string[] = []): CapturedLogs {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level, secrets }, stream);
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, text };
}
