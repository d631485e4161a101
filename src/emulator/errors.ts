/**
 * Errors the emulator throws at its caller (test, benchmark, CLI). Platform-side failures
 * are never thrown: they travel to the client in the protocol, as the real platform does.
 */
export const EmulatorErrorCode = {
  /** Options rejected at start: the message names the field. */
  config: 'LARK_E_EMULATOR_CONFIG',
  /** A method named an app the emulator was not started with. */
  unknownApp: 'LARK_E_EMULATOR_UNKNOWN_APP',
  /** An event was pushed while the app had no open long connection. */
  noConnection: 'LARK_E_EMULATOR_NO_CONNECTION',
  /** A wait (connections, messages) ran past its timeout. */
  waitTimeout: 'LARK_E_EMULATOR_WAIT_TIMEOUT',
  /** The emulator was stopped while the call was in flight, or used after stop(). */
  stopped: 'LARK_E_EMULATOR_STOPPED',
  /** The control API was asked for a route it does not have (HTTP 404). */
  controlRoute: 'LARK_E_EMULATOR_CONTROL_ROUTE',
  /** A control API request body failed validation (HTTP 400); the message names the field. */
  controlBody: 'LARK_E_EMULATOR_CONTROL_BODY',
  /** A request URL did not answer the console's URL check (challenge) correctly. */
  webhookChallenge: 'LARK_E_EMULATOR_WEBHOOK_CHALLENGE',
  /** An approval event was pushed for a definition the app has not subscribed. */
  notSubscribed: 'LARK_E_EMULATOR_NOT_SUBSCRIBED',
  /** A device grant was scripted by a device code or user code the emulator never issued. */
  unknownGrant: 'LARK_E_EMULATOR_UNKNOWN_GRANT',
} as const;

export type EmulatorErrorCode = (typeof EmulatorErrorCode)[keyof typeof EmulatorErrorCode];

export class EmulatorError extends Error {
  readonly code: EmulatorErrorCode;

  constructor(code: EmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmulatorError';
    this.code = code;
  }
}
