/** A card-update token (`c-...`) is good for 30 minutes and at most 2 updates (reference §3.2). */
const CARD_TOKEN_TTL_MS = 30 * 60_000;
const CARD_TOKEN_MAX_USES = 2;

/** Codes of `POST /open-apis/interactive/v1/card/update` (reference §3.2). */
export const CardUpdateError = {
  malformedToken: 300020,
  expired: 300030,
  useLimit: 300040,
  otherApp: 200310,
} as const;

interface CardToken {
  appId: string;
  messageId: string;
  issuedAt: number;
  uses: number;
}

export type CardTokenUse =
  | { ok: true; messageId: string }
  | { ok: false; code: number; msg: string };

/** Tokens handed out inside card.action.trigger callbacks, and their consumption. */
export class CardTokens {
  private readonly tokens = new Map<string, CardToken>();

  register(token: string, appId: string, messageId: string): void {
    this.tokens.set(token, { appId, messageId, issuedAt: Date.now(), uses: 0 });
  }

  use(token: unknown, appId: string): CardTokenUse {
    const entry = typeof token === 'string' ? this.tokens.get(token) : undefined;
    if (!entry) return { ok: false, code: CardUpdateError.malformedToken, msg: 'invalid token' };
    if (entry.appId !== appId) {
      return { ok: false, code: CardUpdateError.otherApp, msg: 'card sent by another app' };
    }
    if (Date.now() - entry.issuedAt > CARD_TOKEN_TTL_MS) {
      return { ok: false, code: CardUpdateError.expired, msg: 'token expired' };
    }
    if (entry.uses >= CARD_TOKEN_MAX_USES) {
      return { ok: false, code: CardUpdateError.useLimit, msg: 'token use limit exceeded' };
    }
    entry.uses += 1;
    return { ok: true, messageId: entry.messageId };
  }
}
