import type { FaultInjector } from '../openapi/fault-injector.js';
import type { Reply } from '../openapi/platform-errors.js';
import type { UserTokenGrant, UserTokens } from '../oauth/user-tokens.js';
import { AccessCode, scopeMissing, type ScopeErrorDetail } from './access-errors.js';
import {
  ApplicationStore, type ApplicationCall, type FlowScript, type FunctionScript, type ObjectRecord,
  type ObjectSeed,
} from './application-store.js';
import type { WorkspaceRow } from './postgrest-query.js';
import {
  WorkspaceStore, type SqlCommandRecord, type SqlScript, type WorkspaceSeed,
} from './workspace-store.js';

/**
 * How `sql_commands` encodes `data.result` (reference Uncertain #9): `json-array` is the
 * documented JSON string of an array of rows; `double-encoded` is the form seen in the field,
 * a JSON string of an array whose single element is the JSON string of the rows.
 */
export type SqlResultEncoding = 'json-array' | 'double-encoded';

export interface RateLimitRule {
  method?: string;
  /** Exact path or pattern; every aPaaS path when absent. */
  path?: string | RegExp;
  /** Sent as `x-ogw-ratelimit-reset`, seconds until the window resets. */
  resetSeconds: number;
  /** Sent as `x-ogw-ratelimit-limit`. Default 10, the data platform's per-second limit. */
  limit?: number;
  times?: number;
}

/** Who is calling an aPaaS route: the app, and for user-token routes the user's grant. */
export interface ApaasCaller {
  appId: string;
  user?: UserTokenGrant;
}

const ANY_APAAS_PATH = /^\/open-apis\/apaas\//;

/**
 * The emulated aPaaS platform (reference §7) and its scripting surface, reached as
 * `emulator.apaas`: workspaces, application objects, flows and functions, user tokens for the
 * routes that need them, scopes an app lacks, and rate limits on demand.
 */
export class ApaasEmulation {
  readonly workspaces = new WorkspaceStore();
  readonly applications = new ApplicationStore();
  private sqlEncoding: SqlResultEncoding = 'json-array';
  private scopeErrorDetail: ScopeErrorDetail = 'violations';
  private readonly deniedAppScopes = new Map<string, Set<string>>();

  /** `userTokens` is the platform's one registry of user tokens, shared with the OAuth side. */
  constructor(
    private readonly defaultAppId: string,
    private readonly faults: FaultInjector,
    readonly userTokens: UserTokens,
  ) {}

  // ── User tokens ────────────────────────────────────────────────────────────

  /**
   * Issues a user access token as if the user had authorized these scopes, without the OAuth
   * dance (tests of code that only consumes user tokens). The token expires on the emulator's
   * clock, like those the OAuth endpoints issue.
   */
  issueUserToken(openId: string, scopes: string[], ttlSeconds?: number,
    appId = this.defaultAppId): string {
    return this.userTokens.issue(appId, openId, scopes, undefined, ttlSeconds).access_token;
  }

  /** The user's tokens (everyone's without an open id) expire: 99991677 on next use. */
  expireUserTokens(openId?: string): number {
    return this.userTokens.expire(openId);
  }

  /** The user's tokens become unknown to the platform: 99991668 on next use. */
  revokeUserTokens(openId?: string): number {
    return this.userTokens.revoke(openId);
  }

  // ── Data platform ──────────────────────────────────────────────────────────

  seedWorkspace(seed: WorkspaceSeed): void {
    this.workspaces.seed(seed);
  }

  /** The table's rows as stored now (copies), system fields included. */
  tableRecords(workspaceId: string, table: string): WorkspaceRow[] {
    return (this.workspaces.table(workspaceId, table)?.rows ?? []).map((row) => ({ ...row }));
  }

  /** Answers SQL commands containing `match` (or matching it) with these rows. */
  scriptSql(script: SqlScript): void {
    this.workspaces.script(script);
  }

  sqlCommands(workspaceId?: string): SqlCommandRecord[] {
    return this.workspaces.sqlCommands(workspaceId);
  }

  setSqlResultEncoding(encoding: SqlResultEncoding): void {
    this.sqlEncoding = encoding;
  }

  encodeSqlResult(rows: WorkspaceRow[] | undefined, statement: string): string {
    if (rows === undefined && !/^\s*(select|with)\b/i.test(statement)) return '';
    const json = JSON.stringify(rows ?? []);
    return this.sqlEncoding === 'json-array' ? json : JSON.stringify([json]);
  }

  // ── Applications ───────────────────────────────────────────────────────────

  seedObject(seed: ObjectSeed): void {
    this.applications.seed(seed);
  }

  objectRecords(namespace: string, objectApiName: string): ObjectRecord[] {
    return [...this.applications.recordsOf(namespace, objectApiName).values()]
      .map((record) => ({ ...record }));
  }

  scriptFlow(script: FlowScript): void {
    this.applications.scriptFlow(script);
  }

  scriptFunction(script: FunctionScript): void {
    this.applications.scriptFunction(script);
  }

  applicationCalls(): ApplicationCall[] {
    return this.applications.callLog();
  }

  // ── Permissions and limits ─────────────────────────────────────────────────

  /** The app loses these scopes (all apps' when no app id): 99991672 where they are needed. */
  denyAppScopes(scopes: string[], appId = '*'): void {
    const denied = this.deniedAppScopes.get(appId) ?? new Set<string>();
    for (const scope of scopes) denied.add(scope);
    this.deniedAppScopes.set(appId, denied);
  }

  grantAppScopes(scopes: string[], appId = '*'): void {
    for (const scope of scopes) this.deniedAppScopes.get(appId)?.delete(scope);
  }

  /** How 99991672 / 99991679 bodies name the scopes; see ScopeErrorDetail. */
  setScopeErrorDetail(detail: ScopeErrorDetail): void {
    this.scopeErrorDetail = detail;
  }

  /** The next matching call(s) answer HTTP 429 with 99991400 and the reset headers (§6). */
  rateLimit(rule: RateLimitRule): void {
    this.faults.add({
      method: rule.method,
      path: rule.path ?? ANY_APAAS_PATH,
      status: 429,
      body: { code: AccessCode.rateLimited, msg: 'request trigger frequency limit' },
      headers: {
        'x-ogw-ratelimit-limit': String(rule.limit ?? 10),
        'x-ogw-ratelimit-reset': String(rule.resetSeconds),
      },
      times: rule.times,
    });
  }

  /**
   * The route needs one of `anyOf`: the app must hold one (else 99991672), and on user-token
   * routes the user must have granted one (else 99991679). The app is checked first: a user
   * cannot grant what the app may not ask for.
   */
  requireScopes(caller: ApaasCaller, anyOf: string[]): Reply | undefined {
    const appHolds = anyOf.some((scope) => !this.appDenied(caller.appId, scope));
    if (!appHolds) return scopeMissing('app', anyOf, this.scopeErrorDetail);
    if (caller.user && !anyOf.some((scope) => caller.user?.scopes.includes(scope))) {
      return scopeMissing('user', anyOf, this.scopeErrorDetail);
    }
    return undefined;
  }

  private appDenied(appId: string, scope: string): boolean {
    return Boolean(this.deniedAppScopes.get('*')?.has(scope)
      || this.deniedAppScopes.get(appId)?.has(scope));
  }
}
