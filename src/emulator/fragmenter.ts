import { FrameMethod, toHeaders, type Frame } from './frame-codec.js';
import type { FrameType } from './types.js';

export interface DataFrameSpec {
  type: FrameType;
  messageId: string;
  traceId: string;
  service: number;
  firstSeqId: number;
  /** How many frames to split the payload's UTF-8 bytes into; 1 = unsplit. */
  fragments: number;
  /** Send the fragments last-first, to exercise the client's reassembly by `seq`. */
  outOfOrder: boolean;
}

/**
 * Turns one event payload into the data frames that carry it (reference §1.5). Every
 * frame carries `sum` and `seq`, even unsplit, because the Node SDK requires both.
 */
export function toDataFrames(payload: Uint8Array, spec: DataFrameSpec): Frame[] {
  const chunks = splitBytes(payload, spec.fragments);
  const timestamp = String(Date.now());
  const frames = chunks.map((chunk, seq): Frame => ({
    SeqID: spec.firstSeqId + seq,
    LogID: spec.firstSeqId + seq,
    service: spec.service,
    method: FrameMethod.data,
    headers: toHeaders({
      type: spec.type,
      message_id: spec.messageId,
      sum: String(chunks.length),
      seq: String(seq),
      trace_id: spec.traceId,
      timestamp,
    }),
    payload: chunk,
  }));
  return spec.outOfOrder ? frames.reverse() : frames;
}

function splitBytes(bytes: Uint8Array, parts: number): Uint8Array[] {
  const count = Math.max(1, Math.min(Math.floor(parts), bytes.length));
  const chunks: Uint8Array[] = [];
  for (let index = 0; index < count; index += 1) {
    const start = Math.floor((index * bytes.length) / count);
    const end = Math.floor(((index + 1) * bytes.length) / count);
    chunks.push(bytes.subarray(start, end));
  }
  return chunks;
}
