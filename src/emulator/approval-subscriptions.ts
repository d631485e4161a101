/**
 * Which approval definitions each app has subscribed (reference §2.4): the platform pushes
 * approval events for a definition only after `POST .../approvals/:approval_code/subscribe`,
 * once per app per definition; a second call answers 1390007 "already subscribed".
 */
export type SubscribeOutcome = 'subscribed' | 'already-subscribed' | 'unknown-approval';

export class ApprovalSubscriptions {
  private readonly byApp = new Map<string, Set<string>>();

  /** `knownCodes` undefined: every approval code exists (convenient for tests). */
  constructor(private readonly knownCodes: readonly string[] | undefined) {}

  subscribe(appId: string, approvalCode: string): SubscribeOutcome {
    if (this.knownCodes && !this.knownCodes.includes(approvalCode)) return 'unknown-approval';
    const codes = this.byApp.get(appId) ?? new Set<string>();
    this.byApp.set(appId, codes);
    if (codes.has(approvalCode)) return 'already-subscribed';
    codes.add(approvalCode);
    return 'subscribed';
  }

  isSubscribed(appId: string, approvalCode: string): boolean {
    return this.byApp.get(appId)?.has(approvalCode) ?? false;
  }

  list(appId: string): string[] {
    return [...(this.byApp.get(appId) ?? [])];
  }
}
