import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';

import type { EndpointDiscovery } from './endpoint-discovery.js';
import type { Frame } from './frame-codec.js';
import type { ResolvedOptions } from './options.js';
import { PlatformConnection } from './platform-connection.js';
import type { TicketBook } from './ticket-book.js';

export interface HubListener {
  onConnection(connection: PlatformConnection): void;
  onReady(connection: PlatformConnection): void;
  onDisconnect(connection: PlatformConnection): void;
  onDataFrame(connection: PlatformConnection, frame: Frame): void;
}

export const WS_PATH = '/ws/v2';

/** Error code the platform uses for "too many connections for this app" (reference §1.8). */
const EXCEED_CONN_LIMIT = 1000040350;
const AUTH_FAILED = 514;

/**
 * Accepts long connections (after checking the one-time ticket and the per-app limit) and
 * keeps the registry of open ones. Delivery picks from here.
 */
export class ConnectionHub {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly connections = new Map<string, PlatformConnection>();
  private nextId = 1;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly tickets: TicketBook,
    private readonly discovery: EndpointDiscovery,
    private readonly listener: HubListener,
    private readonly logger: Logger,
  ) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.discovery.refusing) {
      socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'ws://emulator');
    const appId = this.tickets.redeem(url.searchParams.get('ticket'));
    if (!appId) {
      rejectHandshake(socket, this.options.handshakeRejectStatus, AUTH_FAILED, 'invalid ticket');
      return;
    }
    if (this.list(appId).length >= this.options.maxConnectionsPerApp) {
      this.logger.warn({ appId }, 'connection limit reached, refusing upgrade');
      const status = this.options.handshakeRejectStatus;
      rejectHandshake(socket, status, AUTH_FAILED, 'exceed connection limit', EXCEED_CONN_LIMIT);
      return;
    }
    this.server.handleUpgrade(req, socket, head, (ws) => {
      const id = `conn_${this.nextId++}`;
      const serviceId = this.discovery.serviceId(appId);
      const connection = new PlatformConnection(id, appId, serviceId, ws, this.options, {
        onDataFrame: (conn, frame) => this.listener.onDataFrame(conn, frame),
        onFirstPing: (conn) => this.listener.onReady(conn),
        onClosed: (conn) => this.forget(conn),
      }, this.logger);
      this.connections.set(id, connection);
      this.logger.debug({ appId, connectionId: id }, 'connection opened');
      this.listener.onConnection(connection);
    });
  }

  list(appId?: string): PlatformConnection[] {
    const all = [...this.connections.values()];
    return appId ? all.filter((connection) => connection.appId === appId) : all;
  }

  /**
   * Cluster mode: each message goes to one randomly chosen connection (reference §1.10).
   * Frozen connections stay candidates: the platform cannot tell a half-open path apart.
   */
  pick(appId: string): PlatformConnection | undefined {
    const candidates = this.list(appId).filter((connection) => connection.open);
    return candidates[Math.floor(Math.random() * candidates.length)];
  }

  drop(appId?: string): number {
    const victims = this.list(appId);
    for (const connection of victims) connection.terminate();
    return victims.length;
  }

  freeze(appId?: string): void {
    for (const connection of this.list(appId)) connection.freeze();
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forget(connection: PlatformConnection): void {
    if (!this.connections.delete(connection.id)) return;
    const { appId, id: connectionId } = connection;
    this.logger.debug({ appId, connectionId }, 'connection closed');
    this.listener.onDisconnect(connection);
  }
}

/** SDKs read these lowercase headers from a non-101 answer (reference §1.7, Uncertain #3). */
function rejectHandshake(
  socket: Duplex,
  httpStatus: number,
  handshakeStatus: number,
  message: string,
  authErrorCode?: number,
): void {
  const lines = [
    `HTTP/1.1 ${httpStatus} ${STATUS_CODES[httpStatus] ?? 'Error'}`,
    `handshake-status: ${handshakeStatus}`,
    `handshake-msg: ${message}`,
    ...(authErrorCode === undefined ? [] : [`handshake-autherrcode: ${authErrorCode}`]),
    'connection: close',
    'content-length: 0',
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n`, () => socket.destroy());
}
