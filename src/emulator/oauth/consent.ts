import type { DeviceScript } from './device-grants.js';

/**
 * Who is signed in to the emulated Feishu client and what each user does on a consent page.
 * A user without a script consents as themselves.
 */
export class ConsentBook {
  private signedIn?: string;
  private readonly scripts = new Map<string, DeviceScript>();

  signIn(openId: string | undefined): void {
    this.signedIn = openId;
  }

  signedInUser(): string | undefined {
    return this.signedIn;
  }

  script(openId: string, script: DeviceScript | undefined): void {
    if (script) this.scripts.set(openId, script);
    else this.scripts.delete(openId);
  }

  /** What `openId` does when a consent page opens in front of them. */
  decisionOf(openId: string): DeviceScript {
    return this.scripts.get(openId) ?? { outcome: 'approved', openId };
  }
}
