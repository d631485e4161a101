import { isRecord } from '../http-io.js';
import { ok, platformError, PlatformCode, type Reply } from './platform-errors.js';
import type { OpenApiState, Route, RouteCall } from './route.js';

/** `GET /open-apis/bot/v3/info`: the profile sits in top-level `bot` (reference §2.4). */
function botInfo(call: RouteCall, state: OpenApiState): Reply {
  const bot = state.options.bots.get(call.appId);
  return ok({ code: 0, msg: 'ok', bot: { activate_status: 2, app_name: bot?.appName ?? '',
    avatar_url: '', ip_white_list: [], open_id: bot?.openId ?? '' } });
}

/** `POST /open-apis/interactive/v1/card/update` with a callback's `c-` token (§3.2). */
function updateCard(call: RouteCall, state: OpenApiState): Reply {
  const body = isRecord(call.body) ? call.body : {};
  if (!isRecord(body['card'])) {
    return platformError(400, PlatformCode.cardInvalid, 'card must be a JSON object');
  }
  const use = state.cardTokens.use(body['token'], call.appId);
  if (!use.ok) return platformError(400, use.code, use.msg);
  state.messages.findSent(use.messageId)?.patches.push(JSON.stringify(body['card']));
  return ok({ code: 0, msg: 'ok' });
}

export const botAndCardRoutes: Route[] = [
  { method: 'GET', pattern: /^\/open-apis\/bot\/v3\/info\/?$/, auth: true, handle: botInfo },
  { method: 'POST', pattern: /^\/open-apis\/interactive\/v1\/card\/update$/, auth: true,
    handle: updateCard },
];
