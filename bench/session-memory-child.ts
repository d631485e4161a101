import { startAuthKernel } from './clients/auth-kernel.js';
import { requestAll } from './session-requests.js';

/**
 * The memory scenario's kernel, in a process of its own (run with --expose-gc) so its resident
 * set holds the kernel alone, not the emulator. argv: emulator base URL, sessions, warm-up
 * sessions, window. Prints one JSON line: the figures before and after opening the sessions.
 */
async function main(argv: string[]): Promise<void> {
  const [baseUrl, sessionsText, warmupText, windowText] = argv;
  const sessions = Number(sessionsText);
  const warmup = Number(warmupText);
  const window = Number(windowText);
  const kernel = await startAuthKernel(baseUrl!, { sessionTtlMinutes: 60 });
  try {
    // Code paths compiled and pools allocated before the first measurement.
    await requestAll(kernel.auth, warmup, window, 'warm');
    const before = settledMemory();
    const started = performance.now();
    const { retries } = await requestAll(kernel.auth, sessions, window, 'open');
    const openSeconds = (performance.now() - started) / 1000;
    const after = settledMemory();
    process.stdout.write(`${JSON.stringify({ sessions, openSeconds, retries, before, after })}\n`);
  } finally {
    await kernel.stop();
  }
}

function settledMemory(): { rss: number; heapUsed: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let n = 0; n < 3; n++) gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed };
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`session-memory child: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  },
);
