import type { Logger } from 'pino';

import type { OAuthOptions } from './oauth/oauth-state.js';

/** A self-built app known to the emulated platform. */
export interface EmulatorApp {
  appId: string;
  appSecret: string;
  verificationToken?: string;
  tenantKey?: string;
  /**
   * The console's Encrypt Key: when set, webhook deliveries are encrypted and signed. The long
   * connection always carries plaintext (reference §1.5).
   */
  encryptKey?: string;
  /** Overrides the emulator-wide `bot` for this app's `GET /open-apis/bot/v3/info`. */
  bot?: BotProfile;
}

export interface BotProfile {
  openId: string;
  appName: string;
}

/** Long-connection tuning the platform hands out, in seconds (reference §1.1). */
export interface ClientConfig {
  PingInterval: number;
  ReconnectCount: number;
  ReconnectInterval: number;
  ReconnectNonce: number;
}

export interface RepushPolicy {
  enabled: boolean;
  delaysMs: number[];
}

/** Frame header `type` of a data frame (reference Uncertain #1). */
export type FrameType = 'event' | 'card';

export interface EmulatorOptions {
  host?: string;
  port?: number;
  apps: EmulatorApp[];
  bot?: BotProfile;
  cardFrameType?: FrameType;
  ackTimeoutMs?: number;
  repush?: RepushPolicy;
  clientConfig?: ClientConfig;
  tenantTokenTtlSeconds?: number;
  maxConnectionsPerApp?: number;
  logger?: Logger;
  /** Discovery `code` for wrong credentials; the real value is unpublished. Default 514. */
  discoveryAuthFailedCode?: number;
  /** HTTP status of a refused WebSocket upgrade (reference Uncertain #3). Default 403. */
  handshakeRejectStatus?: number;
  /** Whether pongs carry the ClientConfig JSON or no payload (Uncertain #4). */
  pongPayload?: 'client-config' | 'empty';
  /** Approval definitions that exist; others answer 1390002. Default: every code exists. */
  approvalCodes?: string[];
  /** Refuse to push approval events for unsubscribed definitions, as the platform. Default true. */
  requireApprovalSubscription?: boolean;
  /** User-token lifetimes, device-flow interval, redirect allow-list (reference §4). */
  oauth?: OAuthOptions;
  /**
   * At-least-once duplicates: this fraction of successfully acknowledged events is pushed
   * again (same payload and event_id, new message_id) after `delayMs`. Default off.
   */
  duplicates?: DuplicatePolicy;
  /** Each ACK frame is read this long after it arrives (a slow platform side). Default 0. */
  ackReadDelayMs?: { min: number; max: number };
  /** Serve `GET /open-apis/event/v1/connection` (not in the reference). Default true. */
  reportLiveConnections?: boolean;
}

export interface DuplicatePolicy {
  fraction: number;
  delayMs: number;
}

export interface AckRecord {
  messageId: string;
  code: number;
  /** The ACK's `data`, base64-decoded and JSON-parsed (raw string if it is not JSON). */
  data?: unknown;
  rawPayload: string;
  receivedAt: number;
  latencyMs: number;
  headers: Record<string, string>;
  timedOut: boolean;
  eventId?: string;
  eventType?: string;
  /** 0 for the first delivery, n for the n-th re-push. */
  attempt: number;
  connectionId?: string;
  /** Card callbacks only: the error the user's Feishu client would show (reference §3.4). */
  clientError?: number;
}

export interface SentMessage {
  messageId: string;
  appId: string;
  receiveIdType?: string;
  receiveId?: string;
  chatId: string;
  msgType: string;
  content: string;
  replyTo?: string;
  replyInThread?: boolean;
  patches: string[];
  createdAt: number;
}

export interface ConnectionInfo {
  id: string;
  appId: string;
  openedAt: number;
  lastPingAt?: number;
  frozen: boolean;
}

export interface PushOptions {
  appId?: string;
  frameType?: FrameType;
  fragments?: number;
  outOfOrder?: boolean;
}

export interface CardClickInput {
  appId?: string;
  operatorOpenId: string;
  messageId: string;
  chatId: string;
  value?: unknown;
  tag?: string;
  name?: string;
  formValue?: Record<string, unknown>;
  eventId?: string;
  frameType?: FrameType;
}

export interface UserMessageInput {
  appId?: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  senderOpenId: string;
  text: string;
  mentions?: { openId: string; name: string }[];
  threadId?: string;
  eventId?: string;
  messageId?: string;
}

export interface InjectedErrorRule {
  method?: string;
  path: string | RegExp;
  status: number;
  body: object;
  /** Response headers, e.g. the rate-limit headers that go with 99991400. */
  headers?: Record<string, string>;
  times?: number;
  /** Close the connection without an answer instead (a network error at the caller). */
  reset?: boolean;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  at: number;
}

/** Emitted as 'repush' each time the platform retries a failed event. */
export interface RepushNotice {
  /** True for an at-least-once duplicate of an event that had succeeded. */
  duplicate?: boolean;
  eventId?: string;
  attempt: number;
  delayMs: number;
  /** Absent when no connection of the app was open at the retry time. */
  ack?: AckRecord;
}

export type ApprovalInstanceStatus =
  | 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELED' | 'DELETED' | 'REVERTED'
  | 'OVERTIME_CLOSE' | 'OVERTIME_RECOVER';

/** An approval instance changes status (reference §2.4: 1.0 `approval_instance`, or 2.0). */
export interface ApprovalInstanceInput {
  appId?: string;
  approvalCode: string;
  instanceCode: string;
  status: ApprovalInstanceStatus;
  /** `1.0` (documented, default) or `2.0` (`approval.instance.status_changed_v4`). */
  schema?: '1.0' | '2.0';
  /** ms; defaults to now. */
  operateTimeMs?: number;
  /** The instance's own uuid (1.0 `event.uuid`), present only if it was created with one. */
  instanceUuid?: string;
  /** 2.0 only: `start_user.open_id`. */
  initiatorOpenId?: string;
  externalId?: string;
  /** The envelope `uuid` (1.0) or `header.event_id` (2.0); random when absent. */
  eventId?: string;
}
