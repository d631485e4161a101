export { Emulator } from './emulator.js';
export { startEmulatorProcess, DEFAULT_EMULATOR_APP } from './emulator-process.js';
export type { EmulatorProcessArgs } from './emulator-process.js';
export { EmulatorError, EmulatorErrorCode } from './errors.js';
export { CARD_CLIENT_ERROR } from './event-delivery.js';
export { DEFAULT_CLIENT_CONFIG, DEFAULT_REPUSH_DELAYS_MS } from './options.js';
export type { RefuseMode, EndpointFailure } from './endpoint-discovery.js';
export type {
  AckRecord, ApprovalInstanceInput, ApprovalInstanceStatus, BotProfile, CardClickInput,
  ClientConfig, ConnectionInfo, EmulatorApp,
  EmulatorOptions, FrameType, InjectedErrorRule, PushOptions, RepushNotice, RepushPolicy,
  RequestLogEntry, SentMessage, UserMessageInput,
} from './types.js';
export type {
  ApaasEmulation, ApaasCaller, RateLimitRule, SqlResultEncoding,
} from './apaas/apaas-emulation.js';
export type {
  SqlCommandRecord, SqlScript, WorkspaceColumn, WorkspaceSeed, WorkspaceTableSeed,
} from './apaas/workspace-store.js';
export type {
  ApplicationCall, FlowScript, FunctionScript, ObjectRecord, ObjectSeed,
} from './apaas/application-store.js';
export type { UserTokenGrant } from './oauth/user-tokens.js';
export type { ScopeErrorDetail } from './apaas/access-errors.js';
