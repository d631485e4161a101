import { performance } from 'node:perf_hooks';

/**
 * Milliseconds since the epoch with sub-millisecond resolution. Comparable across worker
 * threads of one process, unlike performance.now(), whose origin differs per thread.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
