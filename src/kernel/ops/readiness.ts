import type { ConnectionState } from '../connection.js';
import { withTimeout } from '../dispatch/timeout.js';
import type { KernelStatus } from '../kernel.js';
import { redactText } from '../logger.js';

export interface ReadinessSource {
  status(): KernelStatus;
  /** Resolves when the deployment's store answers. */
  pingStore(): Promise<void>;
}

export interface Readiness {
  ready: boolean;
  connection: { state: ConnectionState; attempts: number; sinceMs: number; lastError?: string };
  store: { ok: boolean; error?: string };
  plugins: { id: string; name: string; state: string }[];
  inFlight: number;
}

/**
 * Ready means the kernel can do its job right now: the long connection is open (events can
 * arrive) and the store answers (events can be claimed). The rest is there for the operator.
 */
export async function checkReadiness(
  source: ReadinessSource,
  storeTimeoutMs: number,
): Promise<Readiness> {
  const status = source.status();
  const store = await pingStore(source, storeTimeoutMs);
  const { connection } = status;
  return {
    ready: connection.state === 'ready' && store.ok,
    connection: {
      state: connection.state,
      attempts: connection.attempts,
      sinceMs: Math.max(0, Date.now() - connection.since),
      ...(connection.lastError ? { lastError: redactText(connection.lastError) } : {}),
    },
    store,
    plugins: status.plugins.map(({ id, name, state }) => ({ id, name, state })),
    inFlight: status.inFlight,
  };
}

async function pingStore(source: ReadinessSource, timeoutMs: number): Promise<Readiness['store']> {
  try {
    await withTimeout(source.pingStore(), timeoutMs);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: redactText((err as Error)?.message ?? String(err)) };
  }
}
