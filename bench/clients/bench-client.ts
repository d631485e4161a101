/** Either side of a comparison, connected to the emulator and ready for events. */
export interface BenchClient {
  readonly side: 'kernel' | 'raw';
  stop(): Promise<void>;
}

export const BENCH_APP = { appId: 'cli_ba5eba11be0c0001', appSecret: 'bench-app-secret' };

export type ClaimStore =
  | { type: 'memory' }
  | { type: 'redis'; url: string; prefix: string };

export interface ClientSettings {
  baseUrl: string;
  /** What each handler does: wait this long, then count. */
  handlerDelayMs: number;
  store: ClaimStore;
  /** Kernel only: handlers running at once per plugin; the configured default if absent. */
  handlerConcurrency?: number;
}
