import { z } from 'zod';

import type { Emulator } from '../emulator.js';

/**
 * `/__emulator/apaas/*`: the aPaaS scripting methods over HTTP + JSON. Each route is shown
 * with a curl example in docs/emulator.md.
 */
const row = z.record(z.string(), z.unknown());
const optionalOpenId = z.object({ openId: z.string().optional() });
const scopeChange = z.object({ scopes: z.array(z.string()).min(1), appId: z.string().optional() });

const schemas = {
  workspace: z.object({
    workspaceId: z.string().min(1),
    tables: z.array(z.object({
      name: z.string().min(1),
      description: z.string().optional(),
      columns: z.array(z.object({ name: z.string(), description: z.string().optional(),
        dataType: z.string().optional(), isPrimaryKey: z.boolean().optional(),
        isUnique: z.boolean().optional() })).optional(),
      records: z.array(row).optional(),
    })),
  }),
  sqlScript: z.object({ workspaceId: z.string(), match: z.string().optional(),
    matchPattern: z.string().optional(), rows: z.array(row),
    times: z.number().int().positive().optional() })
    .refine((script) => (script.match === undefined) !== (script.matchPattern === undefined),
      { message: 'give exactly one of match or matchPattern' }),
  encoding: z.object({ encoding: z.enum(['json-array', 'double-encoded']) }),
  scopeErrorDetail: z.object({ detail: z.enum(['violations', 'message-only', 'none']) }),
  userToken: z.object({ openId: z.string().min(1), scopes: z.array(z.string()),
    ttlSeconds: z.number().positive().optional(), appId: z.string().optional() }),
  rateLimit: z.object({ method: z.string().optional(), path: z.string().optional(),
    pathPattern: z.string().optional(), resetSeconds: z.number().nonnegative(),
    limit: z.number().int().positive().optional(), times: z.number().int().positive().optional() }),
  object: z.object({ namespace: z.string(), objectApiName: z.string(), records: z.array(row) }),
  flow: z.object({ namespace: z.string(), flowId: z.string(), status: z.string().optional(),
    outParams: row.optional(), errorMsg: z.string().optional() }),
  function: z.object({ namespace: z.string(), functionApiName: z.string(),
    result: z.unknown() }),
};

type ControlHandler = (emulator: Emulator, body: unknown, query: URLSearchParams) => unknown;

const done = { ok: true };

export const apaasControlRoutes: Record<string, ControlHandler> = {
  'POST apaas/workspaces': (emulator, body) => {
    emulator.apaas.seedWorkspace(schemas.workspace.parse(body));
    return done;
  },
  'GET apaas/workspaces/records': (emulator, _body, query) => emulator.apaas.tableRecords(
    query.get('workspaceId') ?? '', query.get('table') ?? ''),
  'POST apaas/sql-scripts': (emulator, body) => {
    const { match, matchPattern, ...script } = schemas.sqlScript.parse(body);
    emulator.apaas.scriptSql({ ...script, match: matchPattern ? new RegExp(matchPattern, 'i')
      : match ?? '' });
    return done;
  },
  'GET apaas/sql-commands': (emulator, _body, query) =>
    emulator.apaas.sqlCommands(query.get('workspaceId') ?? undefined),
  'POST apaas/sql-result-encoding': (emulator, body) => {
    emulator.apaas.setSqlResultEncoding(schemas.encoding.parse(body).encoding);
    return done;
  },
  'POST apaas/scope-error-detail': (emulator, body) => {
    emulator.apaas.setScopeErrorDetail(schemas.scopeErrorDetail.parse(body).detail);
    return done;
  },
  'POST apaas/user-tokens': (emulator, body) => {
    const { openId, scopes, ttlSeconds, appId } = schemas.userToken.parse(body);
    return { token: emulator.apaas.issueUserToken(openId, scopes, ttlSeconds, appId) };
  },
  'POST apaas/user-tokens/expire': (emulator, body) =>
    ({ expired: emulator.apaas.expireUserTokens(optionalOpenId.parse(body ?? {}).openId) }),
  'POST apaas/user-tokens/revoke': (emulator, body) =>
    ({ revoked: emulator.apaas.revokeUserTokens(optionalOpenId.parse(body ?? {}).openId) }),
  'POST apaas/app-scopes/deny': (emulator, body) => {
    const { scopes, appId } = scopeChange.parse(body);
    emulator.apaas.denyAppScopes(scopes, appId);
    return done;
  },
  'POST apaas/app-scopes/grant': (emulator, body) => {
    const { scopes, appId } = scopeChange.parse(body);
    emulator.apaas.grantAppScopes(scopes, appId);
    return done;
  },
  'POST apaas/rate-limits': (emulator, body) => {
    const { path, pathPattern, ...rule } = schemas.rateLimit.parse(body);
    emulator.apaas.rateLimit({ ...rule, path: pathPattern ? new RegExp(pathPattern) : path });
    return done;
  },
  'POST apaas/objects': (emulator, body) => {
    emulator.apaas.seedObject(schemas.object.parse(body));
    return done;
  },
  'GET apaas/objects/records': (emulator, _body, query) => emulator.apaas.objectRecords(
    query.get('namespace') ?? '', query.get('objectApiName') ?? ''),
  'POST apaas/flows': (emulator, body) => {
    emulator.apaas.scriptFlow(schemas.flow.parse(body));
    return done;
  },
  'POST apaas/functions': (emulator, body) => {
    emulator.apaas.scriptFunction(schemas.function.parse(body));
    return done;
  },
  'GET apaas/application-calls': (emulator) => emulator.apaas.applicationCalls(),
};
