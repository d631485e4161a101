import { redactText } from '../logger.js';

export type CheckStatus = 'ok' | 'fail' | 'skip';

/** One line of the doctor's report; `fix` says what to do when it failed. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

const LABEL: Record<CheckStatus, string> = { ok: 'ok  ', fail: 'FAIL', skip: 'skip' };
const NAME_WIDTH = 22;

/**
 * The report as printed. Every line passes the logger's scrubbing and the known secrets are
 * cut out, so a platform message that echoed one could not print it.
 */
export function formatReport(
  title: string,
  results: readonly CheckResult[],
  secrets: string[],
): string {
  const lines = [title, ''];
  for (const result of results) {
    const [first, ...rest] = result.detail.split('\n');
    // A long name (a plugin id) still leaves one space before its detail.
    lines.push(`  ${LABEL[result.status]}  ${`${result.name} `.padEnd(NAME_WIDTH)}${first}`);
    for (const line of rest) lines.push(`        ${line}`);
    if (result.status === 'fail' && result.fix) lines.push(`        fix: ${result.fix}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  lines.push('', summary(results.length, failed, skipped), '');
  return scrub(lines.join('\n'), secrets);
}

function summary(total: number, failed: number, skipped: number): string {
  const skips = skipped ? `, ${skipped} could not be made` : '';
  return failed
    ? `${failed} of ${total} checks failed${skips}.`
    : `all ${total - skipped} checks passed${skips}.`;
}

function scrub(text: string, secrets: string[]): string {
  let out = redactText(text);
  for (const secret of secrets.filter((s) => s.length >= 4)) {
    out = out.split(secret).join('[redacted]');
  }
  return out;
}
