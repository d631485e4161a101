import type { ApaasEmulation } from '../apaas/apaas-emulation.js';
import type { ApprovalSubscriptions } from '../approval-subscriptions.js';
import type { ResolvedOptions } from '../options.js';
import type { MessageStore } from '../message-store.js';
import type { OAuthState } from '../oauth/oauth-state.js';
import type { CardTokens } from './card-tokens.js';
import type { Reply } from './platform-errors.js';
import type { TenantTokens } from './tenant-tokens.js';
import type { UserTokenGrant } from '../oauth/user-tokens.js';

/** What a route handler is given: the caller's app (after auth) and the parsed request. */
export interface RouteCall {
  appId: string;
  /** Set on routes that take a user access token: whose it is and what it grants. */
  user?: UserTokenGrant;
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
  apaas: ApaasEmulation;
  approvals: ApprovalSubscriptions;
  oauth: OAuthState;
  /** Open long connections of an app, for the connection-count endpoint. */
  liveConnections?: (appId: string) => number;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /**
   * Token endpoints take credentials in the body instead of a bearer token (`false`); most
   * routes take a tenant token (`true`); `'user'` routes take a user access token.
   */
  auth: boolean | 'user';
  handle(call: RouteCall, state: OpenApiState): Reply;
}
