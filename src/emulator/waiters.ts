import { EmulatorError, EmulatorErrorCode } from './errors.js';

interface Waiter {
  timer: NodeJS.Timeout;
  fail(error: EmulatorError): void;
}

/**
 * Awaited conditions ("3 connections are open", "a message matching X was sent"): checked
 * now and on every change notification, failed with a clear error on timeout or stop().
 */
export class Waiters {
  private readonly waiting = new Set<Waiter>();

  until<T>(
    subscribe: (notify: () => void) => () => void,
    probe: () => T | undefined,
    timeoutMs: number,
    description: string,
  ): Promise<T> {
    const found = probe();
    if (found !== undefined) return Promise.resolve(found);

    return new Promise<T>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(waiter.timer);
        this.waiting.delete(waiter);
        unsubscribe();
      };
      const waiter: Waiter = {
        timer: setTimeout(() => {
          finish();
          reject(new EmulatorError(EmulatorErrorCode.waitTimeout,
            `timed out after ${timeoutMs} ms waiting for ${description}`));
        }, timeoutMs),
        fail: (error) => {
          finish();
          reject(error);
        },
      };
      const unsubscribe = subscribe(() => {
        const value = probe();
        if (value === undefined) return;
        finish();
        resolve(value);
      });
      this.waiting.add(waiter);
    });
  }

  failAll(): void {
    const error = new EmulatorError(EmulatorErrorCode.stopped, 'emulator stopped');
    for (const waiter of [...this.waiting]) waiter.fail(error);
  }
}
