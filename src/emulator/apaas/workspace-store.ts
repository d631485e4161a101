import { randomUUID } from 'node:crypto';

import type { WorkspaceRow } from './postgrest-query.js';

/** A column as `GET .../tables` describes it (reference §7.2). */
export interface WorkspaceColumn {
  name: string;
  description?: string;
  dataType?: string;
  isPrimaryKey?: boolean;
  isUnique?: boolean;
}

export interface WorkspaceTableSeed {
  name: string;
  description?: string;
  /** Derived from the records' keys (as `text`) when absent. */
  columns?: WorkspaceColumn[];
  records?: WorkspaceRow[];
}

export interface WorkspaceSeed {
  workspaceId: string;
  tables: WorkspaceTableSeed[];
}

export interface WorkspaceTable {
  name: string;
  description: string;
  columns: WorkspaceColumn[];
  rows: WorkspaceRow[];
}

/** A scripted answer to SQL commands whose text matches. */
export interface SqlScript {
  workspaceId: string;
  match: string | RegExp;
  rows: WorkspaceRow[];
  /** How many commands it answers; unlimited when absent. */
  times?: number;
}

export interface SqlCommandRecord {
  workspaceId: string;
  sql: string;
  openId: string;
  at: number;
}

/** System fields every record carries; creator and updater as user objects (§7.2). */
const SYSTEM_USER = (openId: string) => ({ id: openId, name: '', avatar: '' });

/**
 * The in-memory data platform: workspaces of tables and records, plus scripted SQL results
 * (the emulator does not execute SQL) and a log of the SQL commands received.
 */
export class WorkspaceStore {
  private readonly workspaces = new Map<string, Map<string, WorkspaceTable>>();
  private readonly scripts: SqlScript[] = [];
  private readonly commands: SqlCommandRecord[] = [];

  seed(seed: WorkspaceSeed, seededBy = 'ou_emulator_seed'): void {
    const tables = this.workspaces.get(seed.workspaceId) ?? new Map<string, WorkspaceTable>();
    for (const table of seed.tables) {
      const columns = table.columns ?? columnsOf(table.records ?? []);
      const rows = (table.records ?? []).map((record) => newRow(record, seededBy));
      tables.set(table.name, { name: table.name, description: table.description ?? '',
        columns, rows });
    }
    this.workspaces.set(seed.workspaceId, tables);
  }

  hasWorkspace(workspaceId: string): boolean {
    return this.workspaces.has(workspaceId);
  }

  tables(workspaceId: string): WorkspaceTable[] {
    return [...(this.workspaces.get(workspaceId)?.values() ?? [])];
  }

  table(workspaceId: string, name: string): WorkspaceTable | undefined {
    return this.workspaces.get(workspaceId)?.get(name);
  }

  insert(table: WorkspaceTable, record: WorkspaceRow, openId: string): WorkspaceRow {
    const row = newRow(record, openId);
    table.rows.push(row);
    return row;
  }

  update(row: WorkspaceRow, patch: WorkspaceRow, openId: string): void {
    const { _id: _ignored, ...fields } = patch;
    Object.assign(row, fields, { _updated_at: Date.now(), _updated_by: SYSTEM_USER(openId) });
  }

  remove(table: WorkspaceTable, doomed: Set<WorkspaceRow>): void {
    table.rows = table.rows.filter((row) => !doomed.has(row));
  }

  script(script: SqlScript): void {
    this.scripts.push({ ...script });
  }

  /** Records the command; returns the scripted rows, or undefined when nothing matches. */
  runSql(command: SqlCommandRecord): WorkspaceRow[] | undefined {
    this.commands.push(command);
    const index = this.scripts.findIndex((script) => script.workspaceId === command.workspaceId
      && (typeof script.match === 'string' ? command.sql.includes(script.match)
        : script.match.test(command.sql)));
    const script = this.scripts[index];
    if (!script) return undefined;
    if (script.times !== undefined && --script.times <= 0) this.scripts.splice(index, 1);
    return script.rows;
  }

  sqlCommands(workspaceId?: string): SqlCommandRecord[] {
    return this.commands.filter((command) =>
      workspaceId === undefined || command.workspaceId === workspaceId);
  }
}

function newRow(record: WorkspaceRow, openId: string): WorkspaceRow {
  const now = Date.now();
  return {
    ...record,
    _id: typeof record['_id'] === 'string' ? record['_id'] : randomUUID(),
    _created_at: now,
    _updated_at: now,
    _created_by: SYSTEM_USER(openId),
    _updated_by: SYSTEM_USER(openId),
  };
}

function columnsOf(records: WorkspaceRow[]): WorkspaceColumn[] {
  const names = new Set(records.flatMap((record) => Object.keys(record)));
  return [...names].map((name) => ({ name, dataType: 'text' }));
}
