// The test kit: `import { startTestKit } from 'lark-service/testing'`.
export {
  KIT_APP, KIT_BOT, KIT_USER, TestKit, startTestKit,
  type KitCardClick, type KitMessage, type TestKitOptions,
} from './test-kit.js';
export type { KitConfigSource, KitPluginEntry } from './kit-config.js';
export { TestClock } from './test-clock.js';
export { callbackValues, readSent, type SentByApp } from './sent-by-app.js';
export { noConsentDriver, type ConsentDriver, type ConsentRequest } from './consent.js';
export { captureLogs, type CapturedLogs } from './captured-logs.js';
export type {
  AckRecord, ApprovalInstanceInput, ApprovalInstanceStatus, CardClickInput, UserMessageInput,
} from '../emulator/types.js';
