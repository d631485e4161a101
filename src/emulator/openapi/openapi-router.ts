import type { ParsedBody } from '../http-io.js';
import { authRoutes } from './auth-routes.js';
import { botAndCardRoutes } from './bot-and-card-routes.js';
import type { FaultInjector } from './fault-injector.js';
import { eventConnectionRoutes } from './event-connection-route.js';
import { messageRoutes } from './message-routes.js';
import {
  invalidToken, missingToken, platformError, PlatformCode, type Reply,
} from './platform-errors.js';
import type { OpenApiState, Route } from './route.js';

export interface OpenApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: ParsedBody;
}

/**
 * The OpenAPI subset under `/open-apis/`. Order of checks: scripted faults first (they
 * stand for anything the platform might do), then routing, body, token, handler.
 */
export class OpenApiRouter {
  private readonly routes: Route[] = [
    ...authRoutes, ...messageRoutes, ...botAndCardRoutes, ...eventConnectionRoutes,
  ];

  constructor(
    private readonly state: OpenApiState,
    private readonly faults: FaultInjector,
  ) {}

  respond(request: OpenApiRequest): Reply {
    const injected = this.faults.take(request.method, request.path);
    if (injected) return { status: injected.status, body: injected.body };

    const route = this.routes.find((candidate) => candidate.method === request.method
      && candidate.pattern.test(request.path));
    if (!route) return platformError(404, PlatformCode.pathNotFound, 'path not found');
    if (!request.body.ok) return platformError(400, PlatformCode.badJson, request.body.reason);

    const appId = route.auth ? this.authenticate(request.authorization) : '';
    if (typeof appId !== 'string') return appId;

    const params = route.pattern.exec(request.path)?.slice(1) ?? [];
    return route.handle({ appId, params, query: request.query, body: request.body.value },
      this.state);
  }

  private authenticate(authorization: string | undefined): string | Reply {
    if (!authorization) return missingToken();
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const appId = match?.[1] ? this.state.tenantTokens.verify(match[1]) : undefined;
    return appId ?? invalidToken();
  }
}
