import { newTicket } from './ids.js';

/** How long a discovery URL stays usable; the real one is short-lived too (reference §1.1). */
const TICKET_TTL_MS = 5 * 60_000;

/**
 * One-time tickets handed out with each discovery URL. The upgrade must present a ticket
 * that was issued and not used yet, so a client cannot skip discovery or reuse an old URL.
 */
export class TicketBook {
  private readonly tickets = new Map<string, { appId: string; issuedAt: number }>();

  issue(appId: string): string {
    this.prune();
    const ticket = newTicket();
    this.tickets.set(ticket, { appId, issuedAt: Date.now() });
    return ticket;
  }

  /** Returns the app the ticket was issued to, and invalidates it. */
  redeem(ticket: string | null): string | undefined {
    if (!ticket) return undefined;
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!entry || Date.now() - entry.issuedAt > TICKET_TTL_MS) return undefined;
    return entry.appId;
  }

  private prune(): void {
    const now = Date.now();
    for (const [ticket, entry] of this.tickets) {
      if (now - entry.issuedAt > TICKET_TTL_MS) this.tickets.delete(ticket);
    }
  }
}
