import type { ServerResponse } from 'node:http';

import { z } from 'zod';

import { apaasControlRoutes } from './apaas/apaas-control.js';
import type { Emulator } from './emulator.js';
import { EmulatorError, EmulatorErrorCode } from './errors.js';
import { CONTROL_PREFIX } from './front-door.js';
import { sendJson, type ParsedBody } from './http-io.js';

/**
 * `/__emulator/*`: the scripting methods over HTTP + JSON, for tools in any language.
 * Every route is documented with a curl example in docs/emulator.md.
 */
const frameType = z.enum(['event', 'card']).optional();
const appId = z.string().optional();

const schemas = {
  event: z.object({ payload: z.record(z.string(), z.unknown()), appId, frameType,
    fragments: z.number().int().positive().optional(), outOfOrder: z.boolean().optional() }),
  cardAction: z.object({ appId, operatorOpenId: z.string(), messageId: z.string(),
    chatId: z.string(), value: z.unknown().optional(), tag: z.string().optional(),
    name: z.string().optional(), formValue: z.record(z.string(), z.unknown()).optional(),
    eventId: z.string().optional(), frameType }),
  userMessage: z.object({ appId, chatId: z.string(), chatType: z.enum(['p2p', 'group']),
    senderOpenId: z.string(), text: z.string(),
    mentions: z.array(z.object({ openId: z.string(), name: z.string() })).optional(),
    threadId: z.string().optional(), eventId: z.string().optional(),
    messageId: z.string().optional() }),
  approvalInstance: z.object({ appId, approvalCode: z.string(), instanceCode: z.string(),
    status: z.enum(['PENDING', 'APPROVED', 'REJECTED', 'CANCELED', 'DELETED', 'REVERTED',
      'OVERTIME_CLOSE', 'OVERTIME_RECOVER']),
    schema: z.enum(['1.0', '2.0']).optional(), operateTimeMs: z.number().int().optional(),
    instanceUuid: z.string().optional(), initiatorOpenId: z.string().optional(),
    externalId: z.string().optional(), eventId: z.string().optional() }),
  appOnly: z.object({ appId }),
  requestUrl: z.object({ appId, url: z.url(), encryptKey: z.string().min(1).nullable().optional() }),
  refuse: z.object({ on: z.boolean(), mode: z.enum(['reset', 'http-503']).optional() }),
  endpointFailure: z.object({ code: z.number().int(), msg: z.string().optional(),
    times: z.number().int().positive().optional() }),
  openApiError: z.object({ method: z.string().optional(), path: z.string().optional(),
    pathPattern: z.string().optional(), status: z.number().int(),
    body: z.record(z.string(), z.unknown()), times: z.number().int().positive().optional(),
    headers: z.record(z.string(), z.string()).optional() })
    .refine((rule) => (rule.path === undefined) !== (rule.pathPattern === undefined),
      { message: 'give exactly one of path or pathPattern' }),
  deviceScript: z.object({
    outcome: z.enum(['pending', 'slow_down', 'access_denied', 'expired_token', 'approved']),
    openId: z.string().optional(), times: z.number().int().positive().optional() }),
  grantKey: z.object({ deviceCode: z.string().optional(), userCode: z.string().optional() })
    .refine((key) => (key.deviceCode === undefined) !== (key.userCode === undefined),
      { message: 'give exactly one of deviceCode or userCode' }),
  signIn: z.object({ openId: z.string().nullable() }),
  visit: z.object({ userCode: z.string(), openId: z.string() }),
  clock: z.object({ ms: z.number().nonnegative() }),
};

type Handler = (emulator: Emulator, body: unknown, query: URLSearchParams) => unknown;

const routes: Record<string, Handler> = {
  'GET health': (emulator) => ({ ok: true, baseUrl: emulator.baseUrl }),
  'POST events': (emulator, body) => {
    const { payload, ...opts } = schemas.event.parse(body);
    return emulator.pushEvent(payload, opts);
  },
  'POST card-actions': (emulator, body) => emulator.clickCard(schemas.cardAction.parse(body)),
  'POST user-messages': (emulator, body) =>
    emulator.sendUserMessage(schemas.userMessage.parse(body)),
  'POST approval-instances': (emulator, body) =>
    emulator.approvalInstanceChanged(schemas.approvalInstance.parse(body)),
  'GET approval-subscriptions': (emulator, _body, query) =>
    emulator.approvalSubscriptions(query.get('appId') ?? undefined),
  'GET messages': (emulator, _body, query) => emulator.sentMessages(
    { chatId: query.get('chatId') ?? undefined, appId: query.get('appId') ?? undefined }),
  'GET acks': (emulator) => emulator.acks(),
  'GET requests': (emulator, _body, query) =>
    emulator.requests({ path: query.get('path') ?? undefined }),
  'GET connections': (emulator, _body, query) =>
    emulator.connections(query.get('appId') ?? undefined),
  'POST connections/drop': (emulator, body) =>
    ({ dropped: emulator.dropConnections(schemas.appOnly.parse(body ?? {}).appId) }),
  'POST connections/freeze': (emulator, body) => {
    emulator.freezeConnections(schemas.appOnly.parse(body ?? {}).appId);
    return { ok: true };
  },
  'POST connections/refuse': (emulator, body) => {
    const { on, mode } = schemas.refuse.parse(body);
    emulator.refuseConnections(on, mode);
    return { ok: true };
  },
  'POST endpoint-failures': (emulator, body) => {
    const { times, ...failure } = schemas.endpointFailure.parse(body);
    emulator.failEndpoint(failure, times);
    return { ok: true };
  },
  'POST openapi-errors': (emulator, body) => {
    const { path, pathPattern, ...rule } = schemas.openApiError.parse(body);
    emulator.injectError({ ...rule, path: pathPattern ? new RegExp(pathPattern) : path ?? '' });
    return { ok: true };
  },
  'POST webhook': async (emulator, body) => {
    const { url, encryptKey, ...opts } = schemas.requestUrl.parse(body);
    if (encryptKey !== undefined) emulator.setEncryptKey(encryptKey ?? undefined, opts);
    await emulator.setRequestUrl(url, opts);
    return { ok: true };
  },
  'POST webhook/long-connection': (emulator, body) => {
    emulator.useLongConnection(schemas.appOnly.parse(body ?? {}));
    return { ok: true };
  },
  'POST tenant-tokens/expire': (emulator) => {
    emulator.expireTenantTokens();
    return { ok: true };
  },
  ...apaasControlRoutes,
  ...oauthControlRoutes(),
};

/** `/__emulator/oauth/*`: the OAuth scripting methods of `emulator.oauth`. */
function oauthControlRoutes(): Record<string, Handler> {
  const done = { ok: true };
  return {
    'POST oauth/sign-in': (emulator, body) => {
      emulator.oauth.signIn(schemas.signIn.parse(body).openId ?? undefined);
      return done;
    },
    'POST oauth/users': (emulator, body) => {
      const { user, ...script } = schemas.deviceScript.extend({ user: z.string() }).parse(body);
      emulator.oauth.scriptUser(user, script);
      return done;
    },
    'POST oauth/device-grants/script': (emulator, body) => {
      const key = schemas.grantKey.parse(body);
      emulator.oauth.scriptDeviceGrant(key, schemas.deviceScript.parse(body));
      return done;
    },
    'POST oauth/device-grants/visit': (emulator, body) => {
      const { userCode, openId } = schemas.visit.parse(body);
      return emulator.oauth.openVerificationPage(userCode, openId);
    },
    'GET oauth/device-grants': (emulator) => emulator.oauth.deviceGrants(),
    'POST oauth/clock/advance': (emulator, body) => {
      emulator.oauth.advanceClock(schemas.clock.parse(body).ms);
      return { ok: true, now: emulator.oauth.now() };
    },
  };
}

export async function handleControlRequest(emulator: Emulator, res: ServerResponse,
  method: string | undefined, url: URL, body: ParsedBody): Promise<void> {
  const name = url.pathname.slice(CONTROL_PREFIX.length);
  const route = routes[`${(method ?? 'GET').toUpperCase()} ${name}`];
  if (!route) {
    sendJson(res, 404, controlError(EmulatorErrorCode.controlRoute, 'no such control route'));
    return;
  }
  if (!body.ok) {
    sendJson(res, 400, controlError(EmulatorErrorCode.controlBody, body.reason));
    return;
  }
  try {
    sendJson(res, 200, await route(emulator, body.value, url.searchParams));
  } catch (err) {
    sendJson(res, ...describeFailure(err));
  }
}

function describeFailure(err: unknown): [number, object] {
  if (err instanceof z.ZodError) {
    const detail = err.issues
      .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
    return [400, controlError(EmulatorErrorCode.controlBody, detail.join('; '))];
  }
  if (err instanceof EmulatorError) {
    const notFound = err.code === EmulatorErrorCode.unknownApp
      || err.code === EmulatorErrorCode.unknownGrant;
    const status = notFound ? 404 : 409;
    return [status, controlError(err.code, err.message)];
  }
  throw err;
}

function controlError(code: string, message: string): object {
  return { error: { code, message } };
}
