import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies larger than this are refused; the real API caps messages far lower (30-150 KB). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type ParsedBody =
  | { ok: true; value: unknown; raw: string }
  | { ok: false; raw: string; reason: string };

/**
 * JSON bodies, and form-encoded ones (the OAuth endpoints accept both, reference §4.4, §4.7)
 * as a plain object of strings.
 */
export async function readBody(req: IncomingMessage): Promise<ParsedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { ok: false, raw: '', reason: 'body too large' };
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw.trim() === '') return { ok: true, value: undefined, raw };
  if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return { ok: true, value: Object.fromEntries(new URLSearchParams(raw)), raw };
  }
  try {
    return { ok: true, value: JSON.parse(raw), raw };
  } catch {
    return { ok: false, raw, reason: 'body is not valid JSON' };
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function headerRecord(req: IncomingMessage): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) record[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return record;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
