import type { ConnectionState } from '../connection.js';
import { withTimeout } from '../dispatch/timeout.js';
import type { KernelStatus } from '../kernel.js';
import type { TransportStatus } from '../transport/transport-manager.js';
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
  /** Present when the kernel runs a transport manager; carries the webhook fallback notice. */
  transport?: TransportStatus;
}

/**
 * Ready means the kernel can do its job right now: events can arrive (the long connection is
 * open, or the configured transport is the webhook and its listener is up) and the store
 * answers (events can be claimed). A webhook listener started as a fallback does not make the
 * kernel ready: only the operator can point the platform's console at it, so the body carries
 * the transport's notice instead. The rest is there for the operator.
 */
export async function checkReadiness(
  source: ReadinessSource,
  storeTimeoutMs: number,
): Promise<Readiness> {
  const status = source.status();
  const store = await pingStore(source, storeTimeoutMs);
  const { connection } = status;
  return {
    ready: eventsCanArrive(status) && store.ok,
    connection: {
      state: connection.state,
      attempts: connection.attempts,
      sinceMs: Math.max(0, Date.now() - connection.since),
      ...(connection.lastError ? { lastError: redactText(connection.lastError) } : {}),
    },
    store,
    plugins: status.plugins.map(({ id, name, state }) => ({ id, name, state })),
    inFlight: status.inFlight,
    ...(status.transport && { transport: status.transport }),
  };
}

function eventsCanArrive(status: KernelStatus): boolean {
  if (status.connection.state === 'ready') return true;
  const transport = status.transport;
  return transport?.mode === 'webhook' && transport.webhook.state === 'listening';
}

async function pingStore(source: ReadinessSource, timeoutMs: number): Promise<Readiness['store']> {
  try {
    await withTimeout(source.pingStore(), timeoutMs);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: redactText((err as Error)?.message ?? String(err)) };
  }
}
