import { isRecord } from '../http-io.js';
import type { RequestLogEntry } from '../types.js';

/** Keys whose values never enter the log: credentials sent in request bodies. */
const SECRET_KEYS = new Set(['app_secret', 'AppSecret', 'client_secret', 'ClientAssertion']);
const MAX_ENTRIES = 10_000;

/** Every platform request (discovery and OpenAPI), for tests to assert on. */
export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): RequestLogEntry {
    const redacted = { ...entry, body: redact(entry.body) };
    this.entries.push(redacted);
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    return redacted;
  }

  list(filter: { path?: string | RegExp } = {}): RequestLogEntry[] {
    const { path } = filter;
    if (path === undefined) return [...this.entries];
    return this.entries.filter((entry) =>
      typeof path === 'string' ? entry.path === path : path.test(entry.path));
  }
}

function redact(body: unknown): unknown {
  if (!isRecord(body)) return body;
  const copy: Record<string, unknown> = { ...body };
  for (const key of Object.keys(copy)) {
    if (SECRET_KEYS.has(key)) copy[key] = '[redacted]';
  }
  return copy;
}
