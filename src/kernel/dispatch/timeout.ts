export class TimeoutError extends Error {
  constructor(readonly afterMs: number) {
    super(`timed out after ${afterMs} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Settles with the work, or rejects with TimeoutError; the timer never outlives the race.
 * Every handler passes through here, so it is one promise and one timer, without a second
 * promise for the deadline and a race between them.
 */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
