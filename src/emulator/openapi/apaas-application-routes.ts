import { randomUUID } from 'node:crypto';

import { apaasParamInvalid, badParamType } from '../apaas/access-errors.js';
import type { ObjectRecord } from '../apaas/application-store.js';
import { isRecord } from '../http-io.js';
import { ok, type Reply } from './platform-errors.js';
import type { OpenApiState, Route, RouteCall } from './route.js';

/**
 * aPaaS application objects, flows and functions (reference §7.1). They act as the app, so
 * they take the tenant token; record data, flow operators and params travel as JSON strings.
 */
const SCOPE = {
  read: ['app_engine:object.record:read'],
  write: ['app_engine:object.record:write'],
  flow: ['app_engine:flow:write'],
  function: ['app_engine:application.function:write'],
};

const MAX_PAGE_SIZE = 500;

type Handler = (call: RouteCall, state: OpenApiState) => Reply;
type RecordsHandler =
  (call: RouteCall, records: Map<string, ObjectRecord>, state: OpenApiState) => Reply;

/** Checks the app's scopes, then hands the handler the records of the object in the path. */
function onObject(scopes: string[], handle: RecordsHandler): Handler {
  return (call, state) => {
    const denied = state.apaas.requireScopes(call, scopes);
    if (denied) return denied;
    const [namespace = '', objectApiName = ''] = call.params.map(decodeURIComponent);
    return handle(call, state.apaas.applications.recordsOf(namespace, objectApiName), state);
  };
}

const createRecord = onObject(SCOPE.write, (call, records, state) => {
  const record = jsonStringField(call.body, 'record');
  if (!record.ok) return record.reply;
  if (!isRecord(record.value)) return apaasParamInvalid('record must encode an object');
  return success({ id: state.apaas.applications.create(records, record.value) });
});

const getRecord = onObject(SCOPE.read, (call, records) => {
  const record = records.get(call.params[2] ?? '');
  if (!record) return apaasParamInvalid(`record ${call.params[2]} not found`);
  const select = isRecord(call.body) && Array.isArray(call.body['select'])
    ? call.body['select'].map(String) : undefined;
  return success({ item: JSON.stringify(pick(record, select)) });
});

const updateRecord = onObject(SCOPE.write, (call, records) => {
  const record = records.get(call.params[2] ?? '');
  if (!record) return apaasParamInvalid(`record ${call.params[2]} not found`);
  const patch = jsonStringField(call.body, 'record');
  if (!patch.ok) return patch.reply;
  if (!isRecord(patch.value)) return apaasParamInvalid('record must encode an object');
  Object.assign(record, patch.value, { _id: record['_id'] });
  return success({});
});

const deleteRecord = onObject(SCOPE.write, (call, records) => {
  if (!records.delete(call.params[2] ?? '')) {
    return apaasParamInvalid(`record ${call.params[2]} not found`);
  }
  return success({});
});

const batchQuery = onObject(SCOPE.read, (call, records) => {
  const body = isRecord(call.body) ? call.body : {};
  if (!Array.isArray(body['select'])) return apaasParamInvalid('select is required');
  const matching = filterRecords([...records.values()], body['filter']);
  if (!Array.isArray(matching)) return matching;
  const size = Number(body['page_size'] ?? MAX_PAGE_SIZE);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    return apaasParamInvalid(`page_size must be 1..${MAX_PAGE_SIZE}`);
  }
  const offset = offsetOf(body['page_token']);
  const items = matching.slice(offset, offset + size).map((record) =>
    pick(record, body['select'] as string[]));
  const hasMore = offset + size < matching.length;
  return success({
    items: JSON.stringify(items),
    has_more: hasMore,
    ...(hasMore && { next_page_token: Buffer.from(String(offset + size)).toString('base64url') }),
    ...(body['need_total_count'] === true && { total: matching.length }),
  });
});

const batchCreate = onObject(SCOPE.write, (call, records, state) => {
  const list = jsonArrayField(call.body, 'records');
  if (!Array.isArray(list)) return list;
  const items = list.map((record: unknown) => isRecord(record)
    ? { success: true, id: state.apaas.applications.create(records, record) }
    : { success: false, errors: [{ code: 2320001, message: 'record must be an object' }] });
  return success({ items });
});

const batchUpdate = onObject(SCOPE.write, (call, records) => {
  const list = jsonArrayField(call.body, 'records');
  if (!Array.isArray(list)) return list;
  const items = list.map((patch: unknown) => {
    const target = isRecord(patch) ? records.get(String(patch['_id'])) : undefined;
    if (!target) return { success: false, errors: [{ code: 2320001, message: 'not found' }] };
    Object.assign(target, patch);
    return { success: true, id: target['_id'] };
  });
  return success({ items });
});

const batchDelete = onObject(SCOPE.write, (call, records) => {
  const ids = isRecord(call.body) ? call.body['ids'] : undefined;
  if (!Array.isArray(ids)) return apaasParamInvalid('ids must be an array of strings');
  const items = ids.map((id) => records.delete(String(id))
    ? { success: true, id: String(id) }
    : { success: false, id: String(id), errors: [{ code: 2320001, message: 'not found' }] });
  return success({ items });
});

function executeFlow(call: RouteCall, state: OpenApiState): Reply {
  const denied = state.apaas.requireScopes(call, SCOPE.flow);
  if (denied) return denied;
  const [namespace = '', flowId = ''] = call.params.map(decodeURIComponent);
  const operator = jsonStringField(call.body, 'operator');
  if (!operator.ok) return operator.reply;
  if (!isRecord(operator.value)) return apaasParamInvalid('operator must encode an object');
  const params = optionalJsonString(call.body, 'params');
  if (!params.ok) return params.reply;
  const script = state.apaas.applications.flow(namespace, flowId);
  state.apaas.applications.recordCall({ kind: 'flow', namespace, name: flowId,
    params: params.value, operator: operator.value, at: Date.now() });
  return success({ status: script?.status ?? 'end',
    out_params: JSON.stringify(script?.outParams ?? {}), execution_id: randomUUID(),
    error_msg: script?.errorMsg ?? '', code: '' });
}

function invokeFunction(call: RouteCall, state: OpenApiState): Reply {
  const denied = state.apaas.requireScopes(call, SCOPE.function);
  if (denied) return denied;
  const [namespace = '', name = ''] = call.params.map(decodeURIComponent);
  const params = optionalJsonString(call.body, 'params');
  if (!params.ok) return params.reply;
  const script = state.apaas.applications.function(namespace, name);
  if (!script) return apaasParamInvalid(`function ${name} not found in ${namespace}`);
  state.apaas.applications.recordCall({ kind: 'function', namespace, name,
    params: params.value, at: Date.now() });
  return success({ result: JSON.stringify(script.result) });
}

/** Only `equals`/`notEquals` on a field of the object itself are modelled. */
function filterRecords(all: ObjectRecord[], filter: unknown): ObjectRecord[] | Reply {
  if (!isRecord(filter) || !Array.isArray(filter['conditions'])) return all;
  const tests: ((record: ObjectRecord) => boolean)[] = [];
  for (const condition of filter['conditions'] as unknown[]) {
    const test = conditionTest(condition);
    if (!test) return apaasParamInvalid('filter condition not understood');
    tests.push(test);
  }
  return all.filter((record) => tests.every((test) => test(record)));
}

function conditionTest(condition: unknown): ((record: ObjectRecord) => boolean) | undefined {
  if (!isRecord(condition) || !isRecord(condition['left']) || !isRecord(condition['right'])) {
    return undefined;
  }
  const left = parseSettings(condition['left']['settings']);
  const right = parseSettings(condition['right']['settings']);
  const path = isRecord(left) && Array.isArray(left['fieldPath']) ? left['fieldPath'][0] : {};
  const field = isRecord(path) ? path['fieldApiName'] : undefined;
  if (typeof field !== 'string' || !isRecord(right)) return undefined;
  const operator = condition['operator'];
  if (operator === 'equals') return (record) => record[field] === right['data'];
  if (operator === 'notEquals') return (record) => record[field] !== right['data'];
  return undefined;
}

function parseSettings(settings: unknown): unknown {
  if (typeof settings !== 'string') return undefined;
  try {
    return JSON.parse(settings);
  } catch {
    return undefined;
  }
}

type Parsed = { ok: true; value: unknown } | { ok: false; reply: Reply };

/** A field that must be a string of JSON: its parsed value, or the platform's refusal. */
function jsonStringField(body: unknown, field: string): Parsed {
  const value = isRecord(body) ? body[field] : undefined;
  if (typeof value !== 'string') return { ok: false, reply: badParamType(field) };
  const parsed = parseSettings(value);
  return parsed === undefined
    ? { ok: false, reply: apaasParamInvalid(`${field} is not valid JSON`) }
    : { ok: true, value: parsed };
}

function optionalJsonString(body: unknown, field: string): Parsed {
  if (!isRecord(body) || body[field] === undefined) return { ok: true, value: undefined };
  return jsonStringField(body, field);
}

function jsonArrayField(body: unknown, field: string): unknown[] | Reply {
  const parsed = jsonStringField(body, field);
  if (!parsed.ok) return parsed.reply;
  return Array.isArray(parsed.value) ? parsed.value
    : apaasParamInvalid(`${field} must encode an array`);
}

function pick(record: ObjectRecord, select: string[] | undefined): ObjectRecord {
  if (!select || select.length === 0) return record;
  const picked: ObjectRecord = { _id: record['_id'] };
  for (const field of select) if (field in record) picked[field] = record[field];
  return picked;
}

function offsetOf(token: unknown): number {
  if (typeof token !== 'string' || token === '') return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  return Number.isInteger(offset) && offset >= 0 ? offset : 0;
}

function success(data: object): Reply {
  return ok({ code: 0, msg: 'success', data });
}

const APP = '^/open-apis/apaas/v1/applications/([^/]+)';
const RECORDS = `${APP}/objects/([^/]+)/records`;
const route = (method: string, pattern: string, handle: Handler): Route =>
  ({ method, pattern: new RegExp(`${pattern}$`), auth: true, handle });

/** Batch paths come before `records/:id` so `batch_update` is not taken for an id. */
export const apaasApplicationRoutes: Route[] = [
  route('POST', `${RECORDS}/batch_query`, batchQuery),
  route('POST', `${RECORDS}/batch_create`, batchCreate),
  route('PATCH', `${RECORDS}/batch_update`, batchUpdate),
  route('DELETE', `${RECORDS}/batch_delete`, batchDelete),
  route('POST', RECORDS, createRecord),
  route('POST', `${RECORDS}/([^/]+)/query`, getRecord),
  route('PATCH', `${RECORDS}/([^/]+)`, updateRecord),
  route('DELETE', `${RECORDS}/([^/]+)`, deleteRecord),
  route('POST', `${APP}/flows/([^/]+)/execute`, executeFlow),
  route('POST', `${APP}/functions/([^/]+)/invoke`, invokeFunction),
];
