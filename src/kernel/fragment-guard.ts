import type { Logger } from './logger.js';

/**
 * Bounds for reassembling fragmented data frames. The SDK checks that `sum`/`seq` are sane and
 * drops partials after 10-20 s, but allocates `sum` slots before anything else (a forged
 * `sum: "1000000000"` asks for a billion) and caps neither the merged size nor the number of
 * partial messages held at once.
 */
export interface FragmentLimits {
  maxFragments: number;
  maxMessageBytes: number;
  maxPartialMessages: number;
  /** Partials older than this are forgotten (the SDK sweeps its own at 10-20 s). */
  maxAgeMs: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = {
  maxFragments: 64,
  maxMessageBytes: 8 * 1024 * 1024,
  maxPartialMessages: 256,
  maxAgeMs: 20_000,
};

interface Frame {
  headers?: { key: string; value: string }[];
  payload?: Uint8Array;
}

interface Partial {
  bytes: number;
  seqs: Set<number>;
  firstAt: number;
}

interface SdkInternals {
  handleEventData(frame: Frame): Promise<void>;
  dataCache?: { deleteCache(messageId: string): void };
}

/** Wraps the SDK's frame handler so that only frames within the limits reach its cache. */
export function guardFragments(
  client: object,
  logger: Logger,
  limits = DEFAULT_FRAGMENT_LIMITS,
): void {
  const target = client as SdkInternals;
  const original = target.handleEventData.bind(client);
  const partials = new Map<string, Partial>();
  const forget = (messageId: string) => {
    partials.delete(messageId);
    target.dataCache?.deleteCache(messageId);
  };
  target.handleEventData = (frame: Frame) => {
    const verdict = admit(frame, partials, limits, Date.now(), forget);
    if (verdict === 'pass') return original(frame);
    if (verdict !== 'duplicate') {
      const { message_id: messageId, sum, seq } = headersOf(frame);
      logger.error({ messageId, sum, seq, reason: verdict }, 'data frame dropped');
    }
    return Promise.resolve();
  };
}

type Verdict = 'pass' | 'duplicate' | 'bad metadata' | 'too large';

function admit(
  frame: Frame,
  partials: Map<string, Partial>,
  limits: FragmentLimits,
  now: number,
  forget: (messageId: string) => void,
): Verdict {
  const headers = headersOf(frame);
  if (headers.type !== 'event' && headers.type !== 'card') return 'pass';
  const sum = Number(headers.sum);
  const seq = Number(headers.seq);
  const messageId = headers.message_id;
  if (!messageId || !Number.isInteger(sum) || !Number.isInteger(seq) || sum < 1 ||
    sum > limits.maxFragments || seq < 0 || seq >= sum) {
    return 'bad metadata';
  }
  const bytes = frame.payload?.byteLength ?? 0;
  if (sum === 1) return bytes > limits.maxMessageBytes ? 'too large' : 'pass';

  for (const [id, partial] of partials) {
    if (now - partial.firstAt > limits.maxAgeMs) forget(id);
  }
  let partial = partials.get(messageId);
  if (!partial) {
    while (partials.size >= limits.maxPartialMessages) forget(partials.keys().next().value!);
    partial = { bytes: 0, seqs: new Set(), firstAt: now };
    partials.set(messageId, partial);
  }
  if (partial.seqs.has(seq)) return 'duplicate';
  partial.bytes += bytes;
  partial.seqs.add(seq);
  if (partial.bytes > limits.maxMessageBytes) {
    forget(messageId);
    return 'too large';
  }
  if (partial.seqs.size === sum) partials.delete(messageId);
  return 'pass';
}

function headersOf(frame: Frame): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const header of frame.headers ?? []) out[header.key] = header.value;
  return out;
}
