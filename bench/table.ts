import type { Measurement } from './results.js';

const HEADERS = ['scenario', 'metric', 'kernel', 'raw SDK', 'ratio', 'value', 'unit', 'target'];

/** The results as a fixed-width text table, one row per measurement. */
export function formatTable(results: readonly Measurement[]): string {
  const rows = results.map((m) => [
    m.scenario,
    m.metric,
    formatNumber(m.kernel),
    formatNumber(m.raw),
    formatNumber(m.ratio),
    formatNumber(m.value),
    m.unit,
    m.target ?? '',
  ]);
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(HEADERS), rule, ...rows.map(line)].join('\n');
}

export function formatNumber(value: number | undefined): string {
  if (value === undefined) return '';
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toFixed(3);
}
