import { startAuthKernel } from './clients/auth-kernel.js';
import { requestAll } from './session-requests.js';

/**
 * The memory scenario's kernel, in a process of its own (run with --expose-gc) so its resident
 * set holds the kernel alone, not the emulator. argv: emulator base URL, sessions, warm-up
 * sessions, window. Prints one JSON line: the figures before and after opening the sessions.
 */
const SETTLE_MS = 200;

async function main(argv: string[]): Promise<void> {
  const [baseUrl, sessionsText, warmupText, windowText] = argv;
  const sessions = Number(sessionsText);
  const warmup = Number(warmupText);
  const window = Number(windowText);
  const kernel = await startAuthKernel(baseUrl!, { sessionTtlMinutes: 60 });
  try {
    // Code paths compiled and pools allocated before the first measurement.
    await requestAll(kernel.auth, warmup, window, 'warm');
    const before = await settledMemory();
    const started = performance.now();
    const half = Math.floor(sessions / 2);
    let retries = await openSessions(kernel, half, window, 'first');
    const halfway = await settledMemory();
    retries += await openSessions(kernel, sessions - half, window, 'second');
    const openSeconds = (performance.now() - started) / 1000;
    const after = await settledMemory();
    process.stdout.write(`${JSON.stringify({ sessions, openSeconds, retries, before, halfway,
      after })}\n`);
  } finally {
    await kernel.stop();
  }
}

/**
 * Opens the sessions and keeps only the count of retries: the tickets (each with its session)
 * are the caller's copy, not the kernel's, and must be garbage before memory is read.
 */
async function openSessions(kernel: Awaited<ReturnType<typeof startAuthKernel>>,
  sessions: number, window: number, group: string): Promise<number> {
  const { retries } = await requestAll(kernel.auth, sessions, window, group);
  return retries;
}

interface MemoryReading { rss: number; heapUsed: number; heapTotal: number; external: number }

/**
 * Memory once garbage is gone: three forced full collections, each followed by a pause in
 * which V8's background threads finish sweeping and give freed pages back, so the reading
 * holds what is live rather than what the collector had not yet returned.
 */
async function settledMemory(): Promise<MemoryReading> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let n = 0; n < 3; n++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  }
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal,
    external: usage.external };
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`session-memory child: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  },
);
