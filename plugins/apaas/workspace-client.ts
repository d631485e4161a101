import { asJsonString, decodeSqlResult, parseJsonField, type ApaasRecord } from './json-fields.js';
import type { ApiRequest } from './openapi-caller.js';
import { paginate, type Page } from './paginate.js';
import { ApaasScopes } from './scopes.js';
import type { UserCallRunner } from './user-call-runner.js';

/** A table of a data-platform workspace, as `GET .../tables` describes it. */
export interface WorkspaceTableInfo {
  name: string;
  description?: string;
  columns: { name: string; data_type?: string; is_primary_key?: boolean }[];
}

export interface RecordQuery {
  /** Columns to return, `*` (all) when absent. */
  select?: string[];
  /** PostgREST conditions joined by `&`, e.g. `qty=gt.5&status=eq.open`. */
  filter?: string;
  /** PostgREST order, e.g. `qty.desc,name.asc`. */
  order?: string;
  /** 1..500; the platform's default is 10. */
  pageSize?: number;
}

export interface InsertOptions {
  /** Upsert on these columns: a row with equal values is updated instead. */
  onConflict?: string[];
  /** Only these keys of each record are written. */
  columns?: string[];
}

/** The platform takes at most 500 records per write (reference §7.2). */
const MAX_RECORDS_PER_WRITE = 500;

interface RecordsPage {
  items?: unknown;
  has_more?: boolean;
  page_token?: string;
}

/**
 * The data platform (reference §7.2) as one user: every call carries that user's token, and
 * the runner turns authorization problems into one card and a typed error.
 */
export class UserWorkspaceClient {
  constructor(private readonly runner: UserCallRunner) {}

  get openId(): string {
    return this.runner.openId;
  }

  /** Every table of the workspace, page by page. */
  tables(workspaceId: string, pageSize = 100): AsyncGenerator<WorkspaceTableInfo> {
    return paginate((pageToken) => this.runner.run<unknown>({
      scopes: [ApaasScopes.workspaceTableRead],
      request: { method: 'GET', url: `${base(workspaceId)}/tables`,
        params: { page_size: pageSize, page_token: pageToken },
        what: `list the tables of workspace ${workspaceId}` },
    }).then((data) => tablesPage(data)));
  }

  /** Every record matching the query, page by page. */
  records<T extends ApaasRecord = ApaasRecord>(workspaceId: string, table: string,
    query: RecordQuery = {}): AsyncGenerator<T> {
    const what = `query records of table ${table}`;
    return paginate(async (pageToken) => {
      const data = await this.runner.run<RecordsPage>({
        scopes: [ApaasScopes.workspaceRecordRead],
        request: { method: 'GET', url: tableUrl(workspaceId, table, '/records'), what,
          params: { page_size: query.pageSize, page_token: pageToken, filter: query.filter,
            order: query.order, select: query.select?.join(',') } },
      });
      return { items: parseJsonField<T[]>(data.items, 'items', what, []),
        hasMore: data.has_more === true, pageToken: data.page_token };
    });
  }

  /** Inserts (or upserts) records, 500 per call; resolves with their ids in order. */
  async insertRecords(workspaceId: string, table: string, records: ApaasRecord[],
    options: InsertOptions = {}): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < records.length; start += MAX_RECORDS_PER_WRITE) {
      const batch = records.slice(start, start + MAX_RECORDS_PER_WRITE);
      const data = await this.write({
        method: 'POST', url: tableUrl(workspaceId, table, '/records'),
        params: { on_conflict: options.onConflict?.join(','), columns: options.columns?.join(',') },
        data: { records: asJsonString(batch) }, what: `insert records into table ${table}`,
      });
      ids.push(...data);
    }
    return ids;
  }

  /** Sets `fields` on every record matching the PostgREST `filter`; resolves with their ids. */
  updateRecords(workspaceId: string, table: string, filter: string,
    fields: ApaasRecord): Promise<string[]> {
    return this.write({
      method: 'PATCH', url: tableUrl(workspaceId, table, '/records'), params: { filter },
      data: { record: asJsonString(fields) }, what: `update records of table ${table}`,
    });
  }

  /** Updates records by `_id`, each with its own fields. */
  updateRecordsById(workspaceId: string, table: string,
    records: (ApaasRecord & { _id: string })[]): Promise<string[]> {
    return this.write({
      method: 'PATCH', url: tableUrl(workspaceId, table, '/records_batch_update'),
      data: { records: asJsonString(records) }, what: `update records of table ${table}`,
    });
  }

  /** Deletes every record matching the PostgREST `filter`. */
  async deleteRecords(workspaceId: string, table: string, filter: string): Promise<void> {
    await this.runner.run({
      scopes: [ApaasScopes.workspaceRecordWrite],
      request: { method: 'DELETE', url: tableUrl(workspaceId, table, '/records'),
        params: { filter }, what: `delete records of table ${table}` },
    });
  }

  /** Runs one SQL command; SELECTs resolve with their rows, other commands with none. */
  async sql<T extends ApaasRecord = ApaasRecord>(workspaceId: string,
    statement: string): Promise<T[]> {
    const what = `run SQL in workspace ${workspaceId}`;
    const data = await this.runner.run<{ result?: unknown }>({
      scopes: [ApaasScopes.workspaceSql],
      request: { method: 'POST', url: `${base(workspaceId)}/sql_commands`,
        data: { sql: statement }, what },
    });
    return decodeSqlResult(data.result, what) as T[];
  }

  private async write(request: ApiRequest): Promise<string[]> {
    const data = await this.runner.run<{ record_ids?: string[] }>({
      scopes: [ApaasScopes.workspaceRecordWrite], request,
    });
    return data.record_ids ?? [];
  }
}

function base(workspaceId: string): string {
  return `/open-apis/apaas/v1/workspaces/${encodeURIComponent(workspaceId)}`;
}

function tableUrl(workspaceId: string, table: string, rest: string): string {
  return `${base(workspaceId)}/tables/${encodeURIComponent(table)}${rest}`;
}

function tablesPage(data: unknown): Page<WorkspaceTableInfo> {
  const page = (data ?? {}) as { items?: WorkspaceTableInfo[]; has_more?: boolean;
    page_token?: string };
  return { items: page.items ?? [], hasMore: page.has_more === true, pageToken: page.page_token };
}
