/** One shape for every event, whichever envelope schema it arrived in. */
export interface LarkEvent<Payload = Record<string, unknown>> {
  readonly schema: '2.0' | '1.0';
  /** `header.event_id` (2.0) or the envelope's `uuid` (1.0): the deduplication key. */
  readonly eventId: string;
  readonly eventType: string;
  /** Creation time in ms since the epoch, whatever unit arrived; undefined if absent. */
  readonly createdAtMs: number | undefined;
  readonly tenantKey: string | undefined;
  readonly appId: string | undefined;
  /** The `event` object, untouched (1.0 events keep their own `type` and `uuid`). */
  readonly payload: Payload;
  /** Set when the event was created longer ago than dispatch.staleAfterSeconds. */
  readonly stale?: boolean;
}

export type CardToastType = 'info' | 'success' | 'error' | 'warning';

export interface CardActionResponse {
  toast?: { type: CardToastType; content?: string; i18n?: Record<string, string> };
  card?:
    | { type: 'raw'; data: Record<string, unknown> }
    | { type: 'template'; data: { template_id: string; template_version_name?: string;
        template_variable?: Record<string, unknown> } };
}

/** A card button click (or form submit, select, input) normalised from every payload variant. */
export interface CardAction {
  readonly eventId: string;
  readonly appId: string | undefined;
  readonly tenantKey: string | undefined;
  readonly operatorOpenId: string | undefined;
  readonly operatorUnionId: string | undefined;
  readonly operatorUserId: string | undefined;
  readonly messageId: string | undefined;
  readonly chatId: string | undefined;
  /** The component's callback value: an object when it is (or parses as) JSON, else the string. */
  readonly value: unknown;
  readonly tag: string | undefined;
  readonly name: string | undefined;
  readonly formValue: Record<string, unknown> | undefined;
  readonly inputValue: string | undefined;
  readonly option: string | undefined;
  readonly options: string[] | undefined;
  readonly checked: boolean | undefined;
  readonly timezone: string | undefined;
  /** The card-update credential (`c-...`), valid 30 minutes for at most 2 updates. */
  readonly token: string | undefined;
  readonly host: string | undefined;
}
