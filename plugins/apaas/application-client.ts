import { asJsonString, parseJsonField, type ApaasRecord } from './json-fields.js';
import { PlatformCallError, type ApiRequest, type OpenApiCaller } from './openapi-caller.js';
import { paginate } from './paginate.js';

export interface ObjectQuery {
  /** Fields to return; `.` drills into lookups. Required by the platform. */
  select: string[];
  /** The platform's `filter` object (conditions with JSON-string settings), passed as is. */
  filter?: Record<string, unknown>;
  orderBy?: { field: string; direction: 'ASC' | 'DESC' }[];
  /** 1..500 (the default). */
  pageSize?: number;
}

/** One entry of a batch answer: the record's id, or why it failed. */
export interface BatchResult {
  success: boolean;
  id?: string;
  errors?: { code: number; message: string }[];
}

export interface FlowExecution {
  status: string;
  outParams: ApaasRecord;
  executionId: string;
  errorMsg: string;
}

export interface FlowInput {
  /** Whom the flow runs as: `{ _id }` or `{ email }` of an application user. */
  operator: { _id?: string | number; email?: string };
  params?: ApaasRecord;
  isAsync?: boolean;
  idempotentKey?: string;
}

/**
 * An aPaaS application's objects, flows and functions (reference §7.1), called as the app with
 * the tenant token the kernel's client manages. Record data, operators and params are sent as
 * JSON strings and decoded from them.
 */
export class ApplicationClient {
  constructor(
    private readonly caller: OpenApiCaller,
    readonly namespace: string,
  ) {}

  async createRecord(objectApiName: string, record: ApaasRecord): Promise<string> {
    const data = await this.send<{ id: string }>({ method: 'POST', url: this.records(objectApiName),
      data: { record: asJsonString(record) }, what: `create a ${objectApiName} record` });
    return data.id;
  }

  async getRecord<T extends ApaasRecord = ApaasRecord>(objectApiName: string, id: string,
    select?: string[]): Promise<T> {
    const what = `read ${objectApiName} record ${id}`;
    const data = await this.send<{ item?: unknown }>({ method: 'POST',
      url: `${this.records(objectApiName)}/${encodeURIComponent(id)}/query`,
      data: select ? { select } : {}, what });
    return parseJsonField<T>(data.item, 'item', what, {} as T);
  }

  async updateRecord(objectApiName: string, id: string, fields: ApaasRecord): Promise<void> {
    await this.send({ method: 'PATCH',
      url: `${this.records(objectApiName)}/${encodeURIComponent(id)}`,
      data: { record: asJsonString(fields) }, what: `update ${objectApiName} record ${id}` });
  }

  async deleteRecord(objectApiName: string, id: string): Promise<void> {
    await this.send({ method: 'DELETE',
      url: `${this.records(objectApiName)}/${encodeURIComponent(id)}`,
      what: `delete ${objectApiName} record ${id}` });
  }

  /** Every record matching the query, page by page (`batch_query` with page tokens). */
  queryRecords<T extends ApaasRecord = ApaasRecord>(objectApiName: string,
    query: ObjectQuery): AsyncGenerator<T> {
    const what = `query ${objectApiName} records`;
    return paginate(async (pageToken) => {
      const data = await this.send<{ items?: unknown; has_more?: boolean;
        next_page_token?: string }>({
        method: 'POST', url: `${this.records(objectApiName)}/batch_query`, what,
        data: { select: query.select, filter: query.filter, order_by: query.orderBy,
          page_size: query.pageSize, use_page_token: true, page_token: pageToken },
      });
      return { items: parseJsonField<T[]>(data.items, 'items', what, []),
        hasMore: data.has_more === true, pageToken: data.next_page_token };
    });
  }

  async batchCreateRecords(objectApiName: string, records: ApaasRecord[]):
    Promise<BatchResult[]> {
    const data = await this.send<{ items?: BatchResult[] }>({ method: 'POST',
      url: `${this.records(objectApiName)}/batch_create`,
      data: { records: asJsonString(records) }, what: `create ${objectApiName} records` });
    return data.items ?? [];
  }

  async batchUpdateRecords(objectApiName: string, records: (ApaasRecord & { _id: string })[]):
    Promise<BatchResult[]> {
    const data = await this.send<{ items?: BatchResult[] }>({ method: 'PATCH',
      url: `${this.records(objectApiName)}/batch_update`,
      data: { records: asJsonString(records) }, what: `update ${objectApiName} records` });
    return data.items ?? [];
  }

  async batchDeleteRecords(objectApiName: string, ids: string[]): Promise<BatchResult[]> {
    const data = await this.send<{ items?: BatchResult[] }>({ method: 'DELETE',
      url: `${this.records(objectApiName)}/batch_delete`, data: { ids },
      what: `delete ${objectApiName} records` });
    return data.items ?? [];
  }

  async executeFlow(flowId: string, input: FlowInput): Promise<FlowExecution> {
    const what = `execute flow ${flowId}`;
    const data = await this.send<{ status?: string; out_params?: unknown; execution_id?: string;
      error_msg?: string }>({
      method: 'POST', url: `${this.app()}/flows/${encodeURIComponent(flowId)}/execute`, what,
      data: { operator: asJsonString(input.operator),
        params: input.params && asJsonString(input.params), is_async: input.isAsync,
        idempotent_key: input.idempotentKey },
    });
    return { status: data.status ?? '', executionId: data.execution_id ?? '',
      outParams: parseJsonField<ApaasRecord>(data.out_params, 'out_params', what, {}),
      errorMsg: data.error_msg ?? '' };
  }

  async invokeFunction<T = unknown>(functionApiName: string, params?: ApaasRecord):
    Promise<T | undefined> {
    const what = `invoke function ${functionApiName}`;
    const data = await this.send<{ result?: unknown }>({ method: 'POST',
      url: `${this.app()}/functions/${encodeURIComponent(functionApiName)}/invoke`, what,
      data: params ? { params: asJsonString(params) } : {} });
    return parseJsonField<T | undefined>(data.result, 'result', what, undefined);
  }

  private async send<T>(request: ApiRequest): Promise<T> {
    try {
      return await this.caller.send<T>(request);
    } catch (err) {
      throw err instanceof PlatformCallError ? err.error : err;
    }
  }

  private app(): string {
    return `/open-apis/apaas/v1/applications/${encodeURIComponent(this.namespace)}`;
  }

  private records(objectApiName: string): string {
    return `${this.app()}/objects/${encodeURIComponent(objectApiName)}/records`;
  }
}
