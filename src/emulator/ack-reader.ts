import { isRecord } from './http-io.js';

export interface AckPayload {
  code: number;
  data?: unknown;
  rawPayload: string;
}

/**
 * Reads a client's ACK payload. Node sends `{"code":200,"data":"<base64>"}`; Go and Python
 * add `"headers": null | {}` and may send `"data": null` (reference §1.6). `data` is
 * base64 of the JSON the handler returned; a payload that is not JSON yields code -1.
 */
export function readAckPayload(payload: Uint8Array | undefined): AckPayload {
  const rawPayload = payload ? Buffer.from(payload).toString('utf8') : '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawPayload);
  } catch {
    return { code: -1, rawPayload };
  }
  if (!isRecord(parsed)) return { code: -1, rawPayload };

  const code = typeof parsed['code'] === 'number' ? parsed['code'] : Number(parsed['code']);
  const encoded = parsed['data'];
  if (typeof encoded !== 'string' || encoded === '') {
    return { code: Number.isFinite(code) ? code : -1, rawPayload };
  }
  return { code: Number.isFinite(code) ? code : -1, data: decodeData(encoded), rawPayload };
}

function decodeData(encoded: string): unknown {
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
