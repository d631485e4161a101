/**
 * The error catalogue. Every error the kernel or a built-in plugin raises on purpose carries one
 * of these stable codes; `docs/errors.md` documents each one and a test keeps the two in step.
 * Retired codes are never reused.
 */
export const ErrorCodes = {
  LARK_E_CONFIG_FILE: 'The configuration file cannot be read or is not valid YAML.',
  LARK_E_CONFIG_INVALID: 'The configuration does not match the schema.',
  LARK_E_CONFIG_ENV: 'The configuration refers to an environment variable that is not set.',
  LARK_E_PLUGIN_NOT_FOUND: 'A plugin entry names a plugin that cannot be found.',
  LARK_E_PLUGIN_INVALID: 'A module loaded as a plugin does not export a plugin definition.',
  LARK_E_PLUGIN_OPTIONS: "A plugin's options do not match its schema.",
  LARK_E_PLUGIN_DUPLICATE_ID: 'Two plugin entries have the same id.',
  LARK_E_PLUGIN_MISSING_PROVIDER: 'A plugin requires a service that no enabled plugin provides.',
  LARK_E_PLUGIN_CYCLE: 'Plugins require each other in a cycle.',
  LARK_E_PLUGIN_START_TIMEOUT: 'A plugin did not finish starting in time.',
  LARK_E_PLUGIN_START_FAILED: 'A plugin threw while starting.',
  LARK_E_PLUGIN_UNDECLARED_SERVICE: 'A plugin used or provided a service it did not declare.',
  LARK_E_STORE_UNAVAILABLE: 'The configured store cannot be opened or does not answer.',
  LARK_E_CONNECTION_REJECTED: 'The platform rejected the long connection for good.',
  LARK_E_CARD_RESPONSE_INVALID: 'A card-action handler returned a response the platform rejects.',
  LARK_E_WEBHOOK_LISTEN: 'The webhook listener cannot bind its configured host and port.',
  LARK_E_APAAS_AUTHORIZATION_REQUIRED:
    'An aPaaS call needs a user authorization (or scopes) the user has not given yet.',
  LARK_E_APAAS_APP_SCOPE_MISSING: 'The app lacks an API scope an aPaaS call needs.',
  LARK_E_APAAS_RATE_LIMITED: 'An aPaaS call stayed rate-limited beyond the retry cap.',
  LARK_E_APAAS_CALL_FAILED: 'An aPaaS call failed with a platform error or an unreadable answer.',
  LARK_E_APPROVAL_SUBSCRIBE_FAILED: 'The approval plugin could not subscribe an approval code.',
  LARK_E_PLUGIN_NEW_NAME: '`plugin new` was given a name that is not a valid plugin name.',
  LARK_E_PLUGIN_NEW_EXISTS: '`plugin new` would overwrite an existing folder.',
  LARK_E_TESTKIT_NO_CONSENT: 'A test asked the kit for consent as a user, but it has no driver.',
  LARK_E_METRIC_REGISTRATION: 'A plugin asked for a metric that is invalid or owned by another.',
  LARK_E_OPS_LISTEN: 'The operations listener cannot listen on the configured address.',
  LARK_E_STORE_LOCK_TIMEOUT: 'A lock in the shared store stayed taken for too long.',
  LARK_E_VAULT_KEY_MISSING: 'No encryption key is configured for the user-token vault.',
  LARK_E_VAULT_KEY_INVALID: 'The user-token vault key is not 32 bytes in base64 or hex.',
  LARK_E_VAULT_UNREADABLE: 'A stored user token cannot be decrypted with the configured key.',
  LARK_E_VAULT_LOCK_LOST: 'A vault update outlived its lock, so its result was not stored.',
  LARK_E_AUTH_RATE_LIMITED: 'Too many authorization requests for one user.',
  LARK_E_AUTH_WAIT_TIMEOUT: 'An authorization session did not end within the wait.',
  LARK_E_AUTH_SESSION_NOT_FOUND: 'No authorization session has the given id.',
  LARK_E_AUTH_PLATFORM: 'The platform refused to start or finish a user authorization.',
  LARK_E_AUTH_REDIRECT_LISTEN: 'The redirect listener of the card-auth plugin cannot listen.',
  LARK_E_AUTH_REQUEST_INVALID: 'An authorization request carries card options card-auth rejects.',
  LARK_E_TOKEN_AUTHORIZATION_REQUIRED: 'A user has no usable authorization and must authorize.',
  LARK_E_TOKEN_REFRESH_UNAVAILABLE: 'A user token could not be refreshed: the platform is down.',
  LARK_E_TOKEN_REFRESH_REFUSED: 'The platform refused a token refresh for a reason of the app.',
  LARK_E_TOKEN_UNKNOWN_APP: 'A user token was asked for an app this kernel has no secret for.',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface LarkServiceErrorOptions {
  cause?: unknown;
  /** Structured facts for logs and tooling; never secrets. */
  details?: Record<string, unknown>;
}

export class LarkServiceError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: LarkServiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LarkServiceError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isLarkServiceError(err: unknown, code?: ErrorCode): err is LarkServiceError {
  return err instanceof LarkServiceError && (code === undefined || err.code === code);
}
