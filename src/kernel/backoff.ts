export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

/**
 * Capped exponential backoff with jitter: attempt 0 waits about `initialMs`, each later attempt
 * doubles up to `maxMs`. The wait is drawn from [50%, 100%] of that step so that several
 * instances that lost the platform together do not come back in lockstep.
 */
export function backoffDelay(
  attempt: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const step = Math.min(settings.maxMs, settings.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(step * (0.5 + random() * 0.5));
}
