/** Messages between the runner and the emulator's worker thread. */

export interface EmulatorStartRequest {
  appId: string;
  appSecret: string;
  /** Longer than any handler under test, so slow ACKs are measured rather than re-pushed. */
  ackTimeoutMs: number;
  /** The bot the app's messages come from; needed by scenarios that send cards. */
  bot?: { openId: string; appName: string };
  /** Seconds between device-flow polls the emulated platform asks for (fraction allowed). */
  deviceIntervalSeconds?: number;
}

/** Users who each click Authorize on their card, then consent on the verification page. */
export interface AuthorizeBatch {
  chatId: string;
  /** Clicks awaiting their answer at once. */
  window: number;
  /**
   * Clicks started per second, each at its own time whatever the answers before it (users do
   * not wait for each other); 0 starts the next click as soon as one of `window` is answered.
   */
  ratePerSecond: number;
  users: { openId: string; messageId: string }[];
}

export interface AuthorizeReport {
  /** Frame of the click sent to its ACK (the card's answer) received, per user (ms). */
  clickLatenciesMs: number[];
  /** Clicks answered with a code other than 200, or not at all. */
  failedClicks: number;
  /** Users whose card never showed a consent link, so they could not consent. */
  withoutConsentLink: number;
}

/** `count` message events with ids `<idPrefix>_<n>`, at most `window` awaiting their ACK. */
export interface PushBatch {
  count: number;
  window: number;
  idPrefix: string;
}

export interface PushReport {
  /** Just before the first frame was sent (wall clock, ms). */
  firstSentAt: number;
  /** When the last ACK was received (wall clock, ms). */
  lastAckAt: number;
  /** Frame sent to ACK received, per event, in push order (ms). */
  ackLatenciesMs: number[];
  /** ACKs with a code other than 200, or none before ackTimeoutMs. */
  failed: number;
  /** Share of the push the emulator's thread was busy (0..1): near 1, it set the pace. */
  emulatorUtilization: number;
}

/** Tokens the emulated platform issued as if the user had consented. */
export interface TokenIssueView {
  openId: string;
  accessToken: string;
  refreshToken: string;
  refreshTokenExpiresInSeconds: number;
}

export type EmulatorCommand =
  | { id: number; op: 'start'; request: EmulatorStartRequest }
  | { id: number; op: 'waitForConnections'; count: number }
  | { id: number; op: 'push'; batch: PushBatch }
  | { id: number; op: 'authorize'; batch: AuthorizeBatch }
  | { id: number; op: 'issueTokens'; appId: string; openIds: string[]; scopes: string[] }
  | { id: number; op: 'countRequests'; grantType: string }
  | { id: number; op: 'stop' };

export type EmulatorReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };
