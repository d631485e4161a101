/**
 * The scopes each aPaaS call needs (reference §7). Where read or write would do, the narrower
 * one is what the user is asked for.
 */
export const ApaasScopes = {
  workspaceSql: 'app_engine:workspace.sql_commands:write',
  workspaceTableRead: 'app_engine:workspace.table:read',
  workspaceRecordRead: 'app_engine:workspace.table.record:read',
  workspaceRecordWrite: 'app_engine:workspace.table.record:write',
  objectRecordRead: 'app_engine:object.record:read',
  objectRecordWrite: 'app_engine:object.record:write',
  flowWrite: 'app_engine:flow:write',
  functionWrite: 'app_engine:application.function:write',
} as const;
