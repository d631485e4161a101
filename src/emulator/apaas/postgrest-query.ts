/**
 * The PostgREST subset the data-platform record endpoints take in `filter`, `select` and
 * `order` (reference §7.2): `column=op.value` conditions joined by `&` (all must hold), with
 * op one of eq, neq, gt, gte, lt, lte, in, is; `select` a comma list; `order`
 * `column.asc|desc` pairs.
 */
export type WorkspaceRow = Record<string, unknown>;

export interface Condition {
  column: string;
  op: string;
  value: string;
}

const OPS = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'is']);

export function parseFilter(filter: string | null): Condition[] | string {
  if (!filter) return [];
  const conditions: Condition[] = [];
  for (const part of filter.split('&').filter(Boolean)) {
    const match = /^([^=]+)=([a-z]+)\.(.*)$/.exec(part);
    if (!match || !OPS.has(match[2] ?? '')) return `filter "${part}" is not column=op.value`;
    conditions.push({ column: match[1] ?? '', op: match[2] ?? '', value: match[3] ?? '' });
  }
  return conditions;
}

export function matchesAll(row: WorkspaceRow, conditions: Condition[]): boolean {
  return conditions.every((condition) => matches(row[condition.column], condition));
}

function matches(actual: unknown, { op, value }: Condition): boolean {
  if (op === 'is') return value === 'null' ? actual === null || actual === undefined
    : String(actual) === value;
  if (op === 'in') return listOf(value).some((item) => same(actual, item));
  if (op === 'eq') return same(actual, value);
  if (op === 'neq') return !same(actual, value);
  const order = compare(actual, value);
  if (op === 'gt') return order > 0;
  if (op === 'gte') return order >= 0;
  if (op === 'lt') return order < 0;
  return order <= 0;
}

function listOf(value: string): string[] {
  return value.replace(/^\(|\)$/g, '').split(',').map((item) => item.replace(/^"|"$/g, ''));
}

function same(actual: unknown, literal: string): boolean {
  return typeof actual === 'number' ? actual === Number(literal) : String(actual) === literal;
}

function compare(actual: unknown, literal: string): number {
  if (typeof actual === 'number') return actual - Number(literal);
  return String(actual).localeCompare(literal);
}

export function selectColumns(row: WorkspaceRow, select: string | null): WorkspaceRow {
  if (!select || select.trim() === '*') return row;
  const picked: WorkspaceRow = {};
  for (const column of select.split(',').map((name) => name.trim()).filter(Boolean)) {
    if (column in row) picked[column] = row[column];
  }
  return picked;
}

export function sortRows(rows: WorkspaceRow[], order: string | null): WorkspaceRow[] {
  if (!order) return rows;
  const keys = order.split(',').map((part) => {
    const [column = '', direction = 'asc'] = part.trim().split('.');
    return { column, sign: direction === 'desc' ? -1 : 1 };
  });
  return [...rows].sort((a, b) => {
    for (const { column, sign } of keys) {
      const order = compareValues(a[column], b[column]);
      if (order !== 0) return order * sign;
    }
    return 0;
  });
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''));
}
