import type { ResolvedOptions } from '../options.js';
import type { MessageStore } from '../message-store.js';
import type { CardTokens } from './card-tokens.js';
import type { Reply } from './platform-errors.js';
import type { TenantTokens } from './tenant-tokens.js';

/** What a route handler is given: the caller's app (after auth) and the parsed request. */
export interface RouteCall {
  appId: string;
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

/** State shared by the OpenAPI routes. */
export interface OpenApiState {
  options: ResolvedOptions;
  tenantTokens: TenantTokens;
  cardTokens: CardTokens;
  messages: MessageStore;
  /** Open long connections of an app, for the connection-count endpoint. */
  liveConnections?: (appId: string) => number;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** Token endpoints take credentials in the body instead of a bearer token. */
  auth: boolean;
  handle(call: RouteCall, state: OpenApiState): Reply;
}
