import { unreadableAnswer } from './apaas-errors.js';

/** A row of a workspace table or an object record, as the platform's JSON holds it. */
export type ApaasRecord = Record<string, unknown>;

/**
 * The platform carries record data as JSON strings inside the JSON body (reference §7): a
 * records array sent as an array is refused (9499), and `items`, `item`, `rows`, `result`
 * and `out_params` come back as strings.
 */
export function asJsonString(value: unknown): string {
  return JSON.stringify(value);
}

/** Parses a JSON-string field of an answer; an empty or missing field is `fallback`. */
export function parseJsonField<T>(value: unknown, field: string, what: string, fallback: T): T {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string') return value as T;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw unreadableAnswer(what, field);
  }
}

/**
 * `sql_commands` rows in either encoding seen (reference Uncertain #9): the documented JSON
 * string of an array of rows, or that string wrapped once more in an array of strings (one
 * string per batch of rows). Non-SELECT commands answer an empty result: no rows.
 */
export function decodeSqlResult(result: unknown, what: string): ApaasRecord[] {
  const outer = parseJsonField<unknown>(result, 'result', what, []);
  const rows = Array.isArray(outer) && outer.length > 0 && outer.every((x) => typeof x === 'string')
    ? outer.flatMap((inner: string) => toArray(parseJsonField<unknown>(inner, 'result', what, [])))
    : toArray(outer);
  if (!rows.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row))) {
    throw unreadableAnswer(what, 'result');
  }
  return rows as ApaasRecord[];
}

function toArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}
