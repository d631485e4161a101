import type { LarkEvent } from '../dispatch/lark-event.js';

/** One accepted event waiting for (or undergoing) its handlers. */
export interface JournalEntry {
  /** The journal's own id for the entry (a stream id with Redis). */
  readonly id: string;
  readonly event: LarkEvent;
  /** True when the journal gave this entry to a handler before (recovered, or a failed run). */
  readonly handedOutBefore?: boolean;
}

/** A key the journal writes in the step that finishes an entry (the key as stored). */
export interface FinalMark {
  readonly key: string;
  readonly value: string;
  readonly ttlMs: number;
}

/**
 * Runs every handler an entry needs; resolves once none is left to run, with the marks left for
 * the journal to write when it finishes the entry (only given to a journal that
 * `writesFinalMarks`).
 */
export type EntryHandler = (entry: JournalEntry) => Promise<FinalMark[] | void>;

/**
 * Where an accepted event waits between its ACK and the end of its handlers. `append` resolves
 * before the ACK leaves, so an event the platform considers delivered is in the journal. A
 * durable journal survives the death of the process that appended; an in-process one does not.
 * An entry is finished only when its handler resolves; one whose handler rejected, or whose
 * process died, stays for recovery (durable journals only).
 */
export interface DeliveryJournal {
  readonly durable: boolean;
  /** True when finishing an entry also sets its event's claim to `done` (in one step). */
  readonly marksClaimsDone?: boolean;
  /** True when finishing an entry writes the marks its handler resolved with, in that step. */
  readonly writesFinalMarks?: boolean;
  append(event: LarkEvent): Promise<void>;
  /**
   * Claims every key (value `processing`, set only if absent) and appends the event, as one
   * atomic step; false, with nothing changed, when any key was already claimed. Offered by
   * journals that live in the claim store, so no crash can leave a claim without its entry.
   */
  claimAndAppend?(claimKeys: string[], ttlMs: number, event: LarkEvent): Promise<boolean>;
  /** Starts feeding new and recovered entries to `handle`. */
  start(handle: EntryHandler): Promise<void>;
  /** Entries taken but not yet finished by this process. */
  inFlight(): number;
  /** Resolves when every entry this process took has been finished or given up. */
  idle(): Promise<void>;
  /** Stops taking entries; unfinished ones stay for another instance (durable journals). */
  stop(): Promise<void>;
  /**
   * Other instances reading this journal right now (shared journals only): the connections
   * the platform may spread this deployment's events over, besides this one.
   */
  activePeers?(): Promise<number>;
}
