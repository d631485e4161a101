import { apaasParamInvalid, badParamType } from '../apaas/access-errors.js';
import {
  matchesAll, parseFilter, selectColumns, sortRows, type WorkspaceRow,
} from '../apaas/postgrest-query.js';
import type { WorkspaceTable } from '../apaas/workspace-store.js';
import { isRecord } from '../http-io.js';
import { ok, type Reply } from './platform-errors.js';
import type { OpenApiState, Route, RouteCall } from './route.js';

/**
 * The data platform's workspace endpoints (reference §7.2, §7.3). They act for a user, so
 * they take a user access token; record payloads travel as JSON strings.
 */
const SCOPE = {
  sql: ['app_engine:workspace.sql_commands:write'],
  tableRead: ['app_engine:workspace.table:read', 'app_engine:workspace.table:write'],
  recordRead: ['app_engine:workspace.table.record:read', 'app_engine:workspace.table.record:write'],
  recordWrite: ['app_engine:workspace.table.record:write'],
};

const MAX_PAGE_SIZE = 500;
const MAX_RECORDS_PER_WRITE = 500;

type Handler = (call: RouteCall, state: OpenApiState) => Reply;

/** Checks scopes, then hands the handler the workspace's table named in the path. */
function withTable(scopes: string[],
  handle: (call: RouteCall, state: OpenApiState, table: WorkspaceTable) => Reply): Handler {
  return (call, state) => {
    const denied = state.apaas.requireScopes(call, scopes);
    if (denied) return denied;
    const [workspaceId = '', name = ''] = call.params.map(decodeURIComponent);
    const table = state.apaas.workspaces.table(workspaceId, name);
    if (!table) return apaasParamInvalid(`table ${name} not found in workspace ${workspaceId}`);
    return handle(call, state, table);
  };
}

function runSql(call: RouteCall, state: OpenApiState): Reply {
  const denied = state.apaas.requireScopes(call, SCOPE.sql);
  if (denied) return denied;
  const workspaceId = decodeURIComponent(call.params[0] ?? '');
  const sql = isRecord(call.body) ? call.body['sql'] : undefined;
  if (typeof sql !== 'string' || sql.trim() === '') return apaasParamInvalid('sql is required');
  if (!state.apaas.workspaces.hasWorkspace(workspaceId)) {
    return apaasParamInvalid(`workspace ${workspaceId} not found`);
  }
  const rows = state.apaas.workspaces.runSql({ workspaceId, sql, openId: call.user?.openId ?? '',
    at: Date.now() });
  return success({ result: state.apaas.encodeSqlResult(rows, sql) });
}

function listTables(call: RouteCall, state: OpenApiState): Reply {
  const denied = state.apaas.requireScopes(call, SCOPE.tableRead);
  if (denied) return denied;
  const workspaceId = decodeURIComponent(call.params[0] ?? '');
  if (!state.apaas.workspaces.hasWorkspace(workspaceId)) {
    return apaasParamInvalid(`workspace ${workspaceId} not found`);
  }
  const page = pageOf(call.query, state.apaas.workspaces.tables(workspaceId), 20);
  if (typeof page === 'string') return apaasParamInvalid(page);
  return success({ items: page.items.map(tableView), has_more: page.hasMore,
    page_token: page.nextToken });
}

const tableDetail = withTable(SCOPE.tableRead, (_call, _state, table) =>
  success(tableView(table)));

const queryRecords = withTable(SCOPE.recordRead, (call, _state, table) => {
  const conditions = parseFilter(call.query.get('filter'));
  if (typeof conditions === 'string') return apaasParamInvalid(conditions);
  const rows = sortRows(table.rows.filter((row) => matchesAll(row, conditions)),
    call.query.get('order'));
  const page = pageOf(call.query, rows, 10);
  if (typeof page === 'string') return apaasParamInvalid(page);
  const items = page.items.map((row) => selectColumns(row, call.query.get('select')));
  return success({ items: JSON.stringify(items), total: rows.length, has_more: page.hasMore,
    page_token: page.nextToken });
});

const insertRecords = withTable(SCOPE.recordWrite, (call, state, table) => {
  const records = recordsField(call.body, 'records');
  if (!Array.isArray(records)) return records;
  const columns = call.query.get('columns')?.split(',').map((name) => name.trim());
  const conflictOn = call.query.get('on_conflict')?.split(',').map((name) => name.trim());
  const openId = call.user?.openId ?? '';
  const ids = records.map((record) => {
    const fields = columns ? selectColumns(record, columns.join(',')) : record;
    const existing = conflictOn && table.rows.find((row) =>
      conflictOn.every((column) => row[column] === fields[column]));
    if (!existing) return state.apaas.workspaces.insert(table, fields, openId)['_id'];
    state.apaas.workspaces.update(existing, fields, openId);
    return existing['_id'];
  });
  return success({ record_ids: ids });
});

const updateByFilter = withTable(SCOPE.recordWrite, (call, state, table) => {
  const patch = recordField(call.body);
  if (!patch.ok) return patch.reply;
  const targets = filteredRows(call, table);
  if (!Array.isArray(targets)) return targets;
  for (const row of targets) {
    state.apaas.workspaces.update(row, patch.record, call.user?.openId ?? '');
  }
  return success({ record_ids: targets.map((row) => row['_id']) });
});

const batchUpdate = withTable(SCOPE.recordWrite, (call, state, table) => {
  const records = recordsField(call.body, 'records');
  if (!Array.isArray(records)) return records;
  const missing = records.find((record) =>
    !table.rows.some((row) => row['_id'] === record['_id']));
  if (missing) return apaasParamInvalid(`record ${String(missing['_id'])} not found`);
  for (const record of records) {
    const row = table.rows.find((candidate) => candidate['_id'] === record['_id']);
    if (row) state.apaas.workspaces.update(row, record, call.user?.openId ?? '');
  }
  return success({ record_ids: records.map((record) => record['_id']) });
});

const deleteByFilter = withTable(SCOPE.recordWrite, (call, state, table) => {
  const targets = filteredRows(call, table);
  if (!Array.isArray(targets)) return targets;
  state.apaas.workspaces.remove(table, new Set(targets));
  return success({});
});

/** Updates and deletes need a filter: a bare PATCH or DELETE never touches every row. */
function filteredRows(call: RouteCall, table: WorkspaceTable): WorkspaceRow[] | Reply {
  const conditions = parseFilter(call.query.get('filter'));
  if (typeof conditions === 'string') return apaasParamInvalid(conditions);
  if (conditions.length === 0) return apaasParamInvalid('filter is required');
  return table.rows.filter((row) => matchesAll(row, conditions));
}

/** `records` must be a string holding a JSON array of objects (9499 otherwise, §7.2). */
function recordsField(body: unknown, field: string): WorkspaceRow[] | Reply {
  const value = isRecord(body) ? body[field] : undefined;
  if (typeof value !== 'string') return badParamType('Records');
  const parsed = parseJson(value);
  if (!Array.isArray(parsed) || !parsed.every(isRecord)) {
    return apaasParamInvalid(`${field} must encode an array of objects`);
  }
  if (parsed.length > MAX_RECORDS_PER_WRITE) {
    return apaasParamInvalid(`at most ${MAX_RECORDS_PER_WRITE} records per call`);
  }
  return parsed;
}

function recordField(body: unknown):
  { ok: true; record: WorkspaceRow } | { ok: false; reply: Reply } {
  const value = isRecord(body) ? body['record'] : undefined;
  if (typeof value !== 'string') return { ok: false, reply: badParamType('Record') };
  const parsed = parseJson(value);
  return isRecord(parsed) ? { ok: true, record: parsed }
    : { ok: false, reply: apaasParamInvalid('record must encode an object') };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

interface Page<T> {
  items: T[];
  hasMore: boolean;
  nextToken: string;
}

/** Page tokens are opaque to clients; here they encode the next offset. */
function pageOf<T>(query: URLSearchParams, all: T[], defaultSize: number): Page<T> | string {
  const size = Number(query.get('page_size') ?? defaultSize);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    return `page_size must be 1..${MAX_PAGE_SIZE}`;
  }
  const token = query.get('page_token');
  const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0) return 'page_token is invalid';
  const items = all.slice(offset, offset + size);
  const hasMore = offset + size < all.length;
  const nextToken = hasMore ? Buffer.from(String(offset + size)).toString('base64url') : '';
  return { items, hasMore, nextToken };
}

function tableView(table: WorkspaceTable): object {
  return {
    name: table.name,
    description: table.description,
    columns: table.columns.map((column) => ({
      name: column.name,
      description: column.description ?? '',
      data_type: column.dataType ?? 'text',
      is_primary_key: column.isPrimaryKey ?? column.name === '_id',
      is_unique: column.isUnique ?? false,
      is_auto_increment: false,
      is_array: false,
      is_allow_null: true,
      default_value: '',
    })),
  };
}

function success(data: object): Reply {
  return ok({ code: 0, msg: 'success', data });
}

const WS = '^/open-apis/apaas/v1/workspaces/([^/]+)';
const route = (method: string, path: string, handle: Handler): Route =>
  ({ method, pattern: new RegExp(`${WS}${path}$`), auth: 'user', handle });

export const apaasWorkspaceRoutes: Route[] = [
  route('POST', '/sql_commands', runSql),
  route('GET', '/tables', listTables),
  route('GET', '/tables/([^/]+)', tableDetail),
  route('GET', '/tables/([^/]+)/records', queryRecords),
  route('POST', '/tables/([^/]+)/records', insertRecords),
  route('PATCH', '/tables/([^/]+)/records', updateByFilter),
  route('PATCH', '/tables/([^/]+)/records_batch_update', batchUpdate),
  route('DELETE', '/tables/([^/]+)/records', deleteByFilter),
];
