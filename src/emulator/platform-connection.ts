import type { Logger } from 'pino';
import { WebSocket, type RawData } from 'ws';

import { decodeFrame, encodeFrame, FrameMethod, headerValue, type Frame } from './frame-codec.js';
import type { ResolvedOptions } from './options.js';
import type { ConnectionInfo } from './types.js';

export interface ConnectionListener {
  onDataFrame(connection: PlatformConnection, frame: Frame): void;
  onFirstPing(connection: PlatformConnection): void;
  onClosed(connection: PlatformConnection): void;
}

/**
 * The platform's side of one client's long connection: answers pings, carries data frames
 * out and hands the client's ACK frames back. A frozen connection models a half-open path
 * (a known way connections die): TCP stays up but nothing passes in either direction.
 */
export class PlatformConnection {
  readonly openedAt = Date.now();
  lastPingAt: number | undefined;
  frozen = false;

  constructor(
    readonly id: string,
    readonly appId: string,
    readonly serviceId: number,
    private readonly socket: WebSocket,
    private readonly options: ResolvedOptions,
    private readonly listener: ConnectionListener,
    private readonly logger: Logger,
  ) {
    socket.on('message', (data) => this.receive(data));
    socket.on('close', () => listener.onClosed(this));
    socket.on('error', (err) => logger.debug({ err, connectionId: id }, 'socket error'));
  }

  /**
   * Clients ping as soon as the socket opens, after which they are listening for frames;
   * before the first ping a pushed frame can reach a client that has no handler yet.
   */
  get ready(): boolean {
    return this.lastPingAt !== undefined;
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Returns false when the frame could not leave (frozen or closed socket). */
  send(frame: Frame): boolean {
    if (this.frozen || !this.open) return false;
    this.socket.send(encodeFrame(frame));
    return true;
  }

  freeze(): void {
    this.frozen = true;
  }

  terminate(): void {
    this.socket.terminate();
  }

  info(): ConnectionInfo {
    const { id, appId, openedAt, lastPingAt, frozen } = this;
    return lastPingAt === undefined
      ? { id, appId, openedAt, frozen }
      : { id, appId, openedAt, lastPingAt, frozen };
  }

  private receive(data: RawData): void {
    if (this.frozen) return;
    let frame: Frame;
    try {
      frame = decodeFrame(toBytes(data));
    } catch (err) {
      this.logger.warn({ err, connectionId: this.id }, 'undecodable frame from client');
      return;
    }
    if (frame.method === FrameMethod.data) {
      this.listener.onDataFrame(this, frame);
    } else if (headerValue(frame, 'type') === 'ping') {
      this.answerPing();
    }
  }

  private answerPing(): void {
    const first = this.lastPingAt === undefined;
    this.lastPingAt = Date.now();
    const withConfig = this.options.pongPayload === 'client-config';
    this.send({
      SeqID: 0,
      LogID: 0,
      service: this.serviceId,
      method: FrameMethod.control,
      headers: [{ key: 'type', value: 'pong' }],
      ...(withConfig && {
        payload: Buffer.from(JSON.stringify(this.options.clientConfig), 'utf8'),
      }),
    });
    if (first) this.listener.onFirstPing(this);
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
