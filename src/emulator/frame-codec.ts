import protobuf from 'protobufjs';

/**
 * The long connection's wire format: every WebSocket message is one binary `pbbp2.Frame`
 * (proto2, reference §1.3). Field names are the camelCase ones protobufjs derives from the
 * .proto (`payload_encoding` → `payloadEncoding`); only field numbers reach the wire.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    pbbp2: {
      nested: {
        Header: {
          fields: {
            key: { rule: 'required', type: 'string', id: 1 },
            value: { rule: 'required', type: 'string', id: 2 },
          },
        },
        Frame: {
          fields: {
            SeqID: { rule: 'required', type: 'uint64', id: 1 },
            LogID: { rule: 'required', type: 'uint64', id: 2 },
            service: { rule: 'required', type: 'int32', id: 3 },
            method: { rule: 'required', type: 'int32', id: 4 },
            headers: { rule: 'repeated', type: 'Header', id: 5 },
            payloadEncoding: { type: 'string', id: 6 },
            payloadType: { type: 'string', id: 7 },
            payload: { type: 'bytes', id: 8 },
            LogIDNew: { type: 'string', id: 9 },
          },
        },
      },
    },
  },
});

const FrameMessage = root.lookupType('pbbp2.Frame');

export const FrameMethod = { control: 0, data: 1 } as const;

export interface FrameHeader {
  key: string;
  value: string;
}

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: FrameHeader[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  LogIDNew?: string;
}

export function encodeFrame(frame: Frame): Uint8Array {
  return FrameMessage.encode(FrameMessage.fromObject(frame)).finish();
}

/** Throws when a required field is missing, exactly like the SDK's generated decoder. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const message = FrameMessage.decode(bytes);
  const plain = FrameMessage.toObject(message, { longs: Number, arrays: true }) as Frame;
  return plain;
}

export function headerValue(frame: Frame, key: string): string | undefined {
  return frame.headers.find((header) => header.key === key)?.value;
}

export function headerRecord(frame: Frame): Record<string, string> {
  return Object.fromEntries(frame.headers.map((header) => [header.key, header.value]));
}

export function toHeaders(record: Record<string, string>): FrameHeader[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}
