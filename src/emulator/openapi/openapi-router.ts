import type { ParsedBody } from '../http-io.js';
import {
  userTokenExpired, userTokenInvalid, userTokenNotSupported,
} from '../apaas/access-errors.js';
import { apaasApplicationRoutes } from './apaas-application-routes.js';
import { apaasWorkspaceRoutes } from './apaas-workspace-routes.js';
import { approvalRoutes } from './approval-routes.js';
import { authRoutes } from './auth-routes.js';
import { botAndCardRoutes } from './bot-and-card-routes.js';
import type { FaultInjector } from './fault-injector.js';
import { eventConnectionRoutes } from './event-connection-route.js';
import { messageRoutes } from './message-routes.js';
import { oauthRoutes } from './oauth-routes.js';
import { oauthTokenRoutes } from './oauth-token-route.js';
import {
  invalidToken, missingToken, platformError, PlatformCode, type Reply,
} from './platform-errors.js';
import type { OpenApiState, Route, RouteCall } from './route.js';

export interface OpenApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  cookie?: string;
  body: ParsedBody;
}

/**
 * The OpenAPI subset under `/open-apis/`. Order of checks: scripted faults first (they
 * stand for anything the platform might do), then routing, body, token, handler.
 */
export class OpenApiRouter {
  private readonly routes: Route[] = [
    ...authRoutes, ...messageRoutes, ...botAndCardRoutes, ...approvalRoutes,
    ...apaasWorkspaceRoutes, ...apaasApplicationRoutes, ...oauthRoutes, ...oauthTokenRoutes,
    ...eventConnectionRoutes,
  ];

  constructor(
    private readonly state: OpenApiState,
    private readonly faults: FaultInjector,
  ) {}

  respond(request: OpenApiRequest): Reply {
    const injected = this.faults.take(request.method, request.path);
    if (injected) return injected;

    const route = this.routes.find((candidate) => candidate.method === request.method
      && candidate.pattern.test(request.path));
    if (!route) return platformError(404, PlatformCode.pathNotFound, 'path not found');
    if (!request.body.ok) return platformError(400, PlatformCode.badJson, request.body.reason);

    const caller = this.callerOf(route, request.authorization);
    if ('status' in caller) return caller;

    const params = route.pattern.exec(request.path)?.slice(1) ?? [];
    const headers = { authorization: request.authorization, cookie: request.cookie };
    return route.handle({ ...caller, params, query: request.query, body: request.body.value,
      headers }, this.state);
  }

  private callerOf(route: Route, authorization: string | undefined):
    Pick<RouteCall, 'appId' | 'user'> | Reply {
    if (!route.auth) return { appId: '' };
    if (!authorization) return missingToken();
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? '';
    return route.auth === 'user' ? this.authenticateUser(token) : this.authenticate(token);
  }

  private authenticate(token: string): { appId: string } | Reply {
    const appId = token ? this.state.tenantTokens.verify(token) : undefined;
    if (appId) return { appId };
    const asUser = this.state.apaas.userTokens.check(token);
    return asUser.status === 'unknown' ? invalidToken() : userTokenNotSupported();
  }

  /** Routes that act for a user (reference §7.2); a tenant token is refused with 99991663. */
  private authenticateUser(token: string): Pick<RouteCall, 'appId' | 'user'> | Reply {
    if (this.state.tenantTokens.verify(token)) return invalidToken();
    const check = this.state.apaas.userTokens.check(token);
    if (check.status === 'expired') return userTokenExpired();
    if (check.status === 'unknown') return userTokenInvalid();
    return { appId: check.grant.appId, user: check.grant };
  }
}
