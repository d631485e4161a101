/** Tolerant readers for fields of platform JSON, whose shapes vary between payload variants. */
export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A non-empty string, else undefined. */
export const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

/** A non-empty string or a number as a string (ids and timestamps arrive as either). */
export const textOrNumber = (v: unknown): string | undefined =>
  typeof v === 'number' ? String(v) : text(v);
