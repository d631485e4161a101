import { randomUUID } from 'node:crypto';

export type ObjectRecord = Record<string, unknown>;

export interface ObjectSeed {
  namespace: string;
  objectApiName: string;
  records: ObjectRecord[];
}

/** What an `execute` of the flow answers (reference §7.1); scripted per flow. */
export interface FlowScript {
  namespace: string;
  flowId: string;
  status?: string;
  outParams?: Record<string, unknown>;
  errorMsg?: string;
}

export interface FunctionScript {
  namespace: string;
  functionApiName: string;
  result: unknown;
}

/** One flow execution or function invocation, with its params decoded, for tests to read. */
export interface ApplicationCall {
  kind: 'flow' | 'function';
  namespace: string;
  name: string;
  params: unknown;
  operator?: unknown;
  at: number;
}

/**
 * aPaaS applications in memory: object records by namespace and object api name, scripted
 * flow and function answers, and the calls made to them.
 */
export class ApplicationStore {
  private readonly objects = new Map<string, Map<string, ObjectRecord>>();
  private readonly flows = new Map<string, FlowScript>();
  private readonly functions = new Map<string, FunctionScript>();
  private readonly calls: ApplicationCall[] = [];

  seed(seed: ObjectSeed): void {
    const records = this.recordsOf(seed.namespace, seed.objectApiName);
    for (const record of seed.records) this.create(records, record);
  }

  recordsOf(namespace: string, objectApiName: string): Map<string, ObjectRecord> {
    const key = `${namespace}/${objectApiName}`;
    let records = this.objects.get(key);
    if (!records) {
      records = new Map();
      this.objects.set(key, records);
    }
    return records;
  }

  create(records: Map<string, ObjectRecord>, fields: ObjectRecord): string {
    const id = typeof fields['_id'] === 'string' ? fields['_id'] : randomUUID();
    records.set(id, { ...fields, _id: id });
    return id;
  }

  scriptFlow(script: FlowScript): void {
    this.flows.set(`${script.namespace}/${script.flowId}`, { ...script });
  }

  flow(namespace: string, flowId: string): FlowScript | undefined {
    return this.flows.get(`${namespace}/${flowId}`);
  }

  scriptFunction(script: FunctionScript): void {
    this.functions.set(`${script.namespace}/${script.functionApiName}`, { ...script });
  }

  function(namespace: string, functionApiName: string): FunctionScript | undefined {
    return this.functions.get(`${namespace}/${functionApiName}`);
  }

  recordCall(call: ApplicationCall): void {
    this.calls.push(call);
  }

  callLog(): ApplicationCall[] {
    return [...this.calls];
  }
}
