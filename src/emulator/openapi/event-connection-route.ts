import { platformError, PlatformCode, type Reply } from './platform-errors.js';
import type { OpenApiState, Route, RouteCall } from './route.js';

/**
 * `GET /open-apis/event/v1/connection`: how many long connections the app holds right now.
 * Field reports name it and its `online_instance_cnt`; the reference does not describe it, so
 * the emulator serves it only while `reportLiveConnections` is on (the default).
 */
function liveConnections(call: RouteCall, state: OpenApiState): Reply {
  if (!state.options.reportLiveConnections || !state.liveConnections) {
    return platformError(404, PlatformCode.pathNotFound, 'path not found');
  }
  const count = state.liveConnections(call.appId);
  return { status: 200, body: { code: 0, msg: 'ok', data: { online_instance_cnt: count } } };
}

export const eventConnectionRoutes: Route[] = [
  { method: 'GET', pattern: /^\/open-apis\/event\/v1\/connection$/, auth: true,
    handle: liveConnections },
];
