import { pino, type Logger } from 'pino';

import { EmulatorError, EmulatorErrorCode } from './errors.js';
import { APP_ID_PATTERN, stableHex } from './ids.js';
import { resolveOAuthOptions, type ResolvedOAuthOptions } from './oauth/oauth-state.js';
import type {
  BotProfile, ClientConfig, DuplicatePolicy, EmulatorApp, EmulatorOptions, FrameType,
  RepushPolicy,
} from './types.js';

/** Options with every default applied; what the emulator's parts are built from. */
export interface ResolvedOptions {
  host: string;
  port: number;
  apps: (Required<Omit<EmulatorApp, 'bot' | 'encryptKey'>> & { encryptKey?: string })[];
  bots: Map<string, BotProfile>;
  cardFrameType: FrameType;
  ackTimeoutMs: number;
  repush: RepushPolicy;
  clientConfig: ClientConfig;
  tenantTokenTtlSeconds: number;
  maxConnectionsPerApp: number;
  logger: Logger;
  discoveryAuthFailedCode: number;
  handshakeRejectStatus: number;
  pongPayload: 'client-config' | 'empty';
  approvalCodes: string[] | undefined;
  requireApprovalSubscription: boolean;
  oauth: ResolvedOAuthOptions;
  duplicates: DuplicatePolicy;
  ackReadDelayMs: { min: number; max: number };
  reportLiveConnections: boolean;
}

/** The platform's published retry ladder: 15 s, 5 min, 1 h, 6 h (reference §1.10). */
export const DEFAULT_REPUSH_DELAYS_MS = [15_000, 300_000, 3_600_000, 21_600_000];

/** The values the Node SDK itself assumes before any server config (reference §1.1). */
export const DEFAULT_CLIENT_CONFIG: ClientConfig = {
  PingInterval: 120,
  ReconnectCount: -1,
  ReconnectInterval: 120,
  ReconnectNonce: 30,
};

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const apps = (options.apps ?? []).map(resolveApp);
  if (apps.length === 0) {
    throw configError('apps: give at least one app ({ appId, appSecret })');
  }
  assertUniqueAppIds(apps);

  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    apps,
    bots: resolveBots(options),
    cardFrameType: options.cardFrameType ?? 'event',
    ackTimeoutMs: positive('ackTimeoutMs', options.ackTimeoutMs ?? 3000),
    repush: options.repush ?? { enabled: true, delaysMs: [...DEFAULT_REPUSH_DELAYS_MS] },
    clientConfig: options.clientConfig ?? { ...DEFAULT_CLIENT_CONFIG },
    tenantTokenTtlSeconds: positive('tenantTokenTtlSeconds', options.tenantTokenTtlSeconds ?? 7200),
    maxConnectionsPerApp: positive('maxConnectionsPerApp', options.maxConnectionsPerApp ?? 50),
    logger: options.logger ?? pino({ level: 'silent' }),
    discoveryAuthFailedCode: options.discoveryAuthFailedCode ?? 514,
    handshakeRejectStatus: options.handshakeRejectStatus ?? 403,
    pongPayload: options.pongPayload ?? 'client-config',
    approvalCodes: options.approvalCodes,
    requireApprovalSubscription: options.requireApprovalSubscription ?? true,
    oauth: resolveOAuthOptions(options.oauth),
    duplicates: resolveDuplicates(options.duplicates),
    ackReadDelayMs: resolveDelayRange(options.ackReadDelayMs),
    reportLiveConnections: options.reportLiveConnections ?? true,
  };
}

function resolveApp(app: EmulatorApp, index: number): ResolvedOptions['apps'][number] {
  // The Node WSClient silently refuses to start with any other shape (reference §1.9).
  if (!APP_ID_PATTERN.test(app.appId ?? '')) {
    throw configError(`apps[${index}].appId: expected cli_ followed by 16 hex digits`);
  }
  if (!app.appSecret) {
    throw configError(`apps[${index}].appSecret: required`);
  }
  return {
    appId: app.appId,
    appSecret: app.appSecret,
    verificationToken: app.verificationToken ?? stableHex(`vt:${app.appId}`),
    tenantKey: app.tenantKey ?? stableHex(`tenant:${app.appId}`, 16),
    ...(app.encryptKey && { encryptKey: app.encryptKey }),
  };
}

function resolveBots(options: EmulatorOptions): Map<string, BotProfile> {
  const bots = new Map<string, BotProfile>();
  for (const app of options.apps) {
    const fallback = { openId: `ou_${stableHex(`bot:${app.appId}`)}`, appName: 'Emulator Bot' };
    bots.set(app.appId, app.bot ?? options.bot ?? fallback);
  }
  return bots;
}

function assertUniqueAppIds(apps: { appId: string }[]): void {
  const seen = new Set<string>();
  for (const { appId } of apps) {
    if (seen.has(appId)) throw configError(`apps: ${appId} is listed twice`);
    seen.add(appId);
  }
}

function resolveDuplicates(policy: DuplicatePolicy | undefined): DuplicatePolicy {
  if (!policy) return { fraction: 0, delayMs: 0 };
  if (!(policy.fraction >= 0 && policy.fraction <= 1)) {
    throw configError(`duplicates.fraction: expected 0..1, got ${policy.fraction}`);
  }
  if (!(policy.delayMs >= 0)) throw configError(`duplicates.delayMs: expected >= 0`);
  return { ...policy };
}

function resolveDelayRange(range: { min: number; max: number } | undefined) {
  if (!range) return { min: 0, max: 0 };
  if (!(range.min >= 0 && range.max >= range.min)) {
    throw configError(`ackReadDelayMs: expected 0 <= min <= max, got ${range.min}..${range.max}`);
  }
  return { ...range };
}

function positive(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw configError(`${field}: expected a positive number, got ${value}`);
  }
  return value;
}

function configError(message: string): EmulatorError {
  return new EmulatorError(EmulatorErrorCode.config, `emulator options ${message}`);
}
