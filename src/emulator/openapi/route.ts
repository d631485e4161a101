import type { ResolvedOptions } from '../options.js';
import type { MessageStore } from '../message-store.js';
import type { OAuthState } from '../oauth/oauth-state.js';
import type { CardTokens } from './card-tokens.js';
import type { Reply } from './platform-errors.js';
import type { TenantTokens } from './tenant-tokens.js';

/** What a route handler is given: the caller's app (after auth) and the parsed request. */
export interface RouteCall {
  appId: string;
  params: string[];
  query: URLSearchParams;
  body: unknown;
  /** Raw request headers some routes read themselves (Basic auth, user tokens, cookies). */
  headers?: { authorization?: string; cookie?: string };
}

/** State shared by the OpenAPI routes. */
export interface OpenApiState {
  options: ResolvedOptions;
  tenantTokens: TenantTokens;
  cardTokens: CardTokens;
  messages: MessageStore;
  oauth: OAuthState;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** Token endpoints take credentials in the body instead of a bearer token. */
  auth: boolean;
  handle(call: RouteCall, state: OpenApiState): Reply;
}
