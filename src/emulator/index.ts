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
