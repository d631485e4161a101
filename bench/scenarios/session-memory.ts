import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BENCH_APP } from '../clients/bench-client.js';
import { BENCH_BOT } from '../clients/auth-kernel.js';
import type { Measurement } from '../results.js';
import type { Scenario } from '../scenario.js';

const run = promisify(execFile);
const childScript = fileURLToPath(new URL('../session-memory-child.js', import.meta.url));

interface MemoryReading { rss: number; heapUsed: number; heapTotal: number; external: number }

interface ChildReport {
  sessions: number;
  openSeconds: number;
  retries: number;
  before: MemoryReading;
  halfway: MemoryReading;
  after: MemoryReading;
}

/**
 * Memory a kernel spends per open authorization session: a kernel in a child process (so its
 * resident set is the kernel's alone; the emulator stays on this process's worker thread)
 * opens `sessions` device-flow sessions through card-auth, each with its card sent and left
 * pending, in two halves. RSS and V8 heap once collections have settled, before, halfway and
 * after: the whole run gives the figure per session, the second half what one more costs.
 */
const sessionMemory: Scenario = {
  name: 'session-memory',
  order: 5,
  description: 'RSS of a kernel holding open authorization sessions, per session',
  counts: { sessions: 10_000, 'warmup-sessions': 100 },
  settings: { 'request-window': 50, 'child-timeout-s': 400 },
  async run(context) {
    const sessions = context.count('sessions');
    const baseUrl = await context.emulator.start({ ...BENCH_APP, ackTimeoutMs: 10_000,
      bot: BENCH_BOT });
    try {
      context.progress(`session-memory: a kernel process opens ${sessions} sessions`);
      const { stdout } = await run(process.execPath, ['--expose-gc', childScript, baseUrl,
        String(sessions), String(context.count('warmup-sessions')),
        String(context.setting('request-window'))],
      { timeout: context.setting('child-timeout-s') * 1000, maxBuffer: 1 << 20 });
      const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildReport;
      context.progress(`session-memory: opened in ${report.openSeconds.toFixed(1)} s`);
      return measurements(report);
    } finally {
      await context.emulator.stop();
    }
  },
};

export default sessionMemory;

function measurements(report: ChildReport): Measurement[] {
  const note = `${report.sessions} pending device-flow sessions, each with its card sent ` +
    `(memory store); kernel in its own process, after forced GC; opened in two halves in ` +
    `${report.openSeconds.toFixed(1)} s (${report.retries} requests asked again after an ` +
    'error, each leaving a failed session too); one run';
  const per = (after: number, before: number) => (after - before) / report.sessions;
  const secondHalf = report.sessions - Math.floor(report.sessions / 2);
  return [
    { scenario: 'session-memory', metric: 'RSS per open session', unit: 'bytes',
      value: per(report.after.rss, report.before.rss), target: '< 2048', note },
    { scenario: 'session-memory', metric: 'V8 heap per open session', unit: 'bytes',
      value: per(report.after.heapUsed, report.before.heapUsed), note },
    { scenario: 'session-memory', metric: 'RSS per open session, second half only',
      unit: 'bytes', value: (report.after.rss - report.halfway.rss) / secondHalf, note },
    { scenario: 'session-memory', metric: 'V8 heap per open session, second half only',
      unit: 'bytes', value: (report.after.heapUsed - report.halfway.heapUsed) / secondHalf, note },
    { scenario: 'session-memory', metric: 'kernel RSS holding the sessions', unit: 'MiB',
      value: report.after.rss / (1024 * 1024), note },
    { scenario: 'session-memory', metric: 'sessions opened per second', unit: 'sessions/s',
      value: report.sessions / report.openSeconds, note },
  ];
}
