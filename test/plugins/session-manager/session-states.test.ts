import { describe, expect, it } from 'vitest';

import {
  canTransition, isOpen, SESSION_STATES,
} from '../../../plugins/session-manager/session-states.js';

describe('authorization session state machine', () => {
  it('goes pending -> awaiting_consent -> completed, never straight to completed', () => {
    expect(canTransition('pending', 'awaiting_consent')).toBe(true);
    expect(canTransition('awaiting_consent', 'completed')).toBe(true);
    expect(canTransition('pending', 'completed')).toBe(false);
  });

  it('lets every open state end as declined, expired or failed', () => {
    for (const from of ['pending', 'awaiting_consent'] as const) {
      for (const to of ['declined', 'expired', 'failed'] as const) {
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(true);
      }
    }
  });

  it('leaves an ended state only from completed to superseded, and never goes back', () => {
    const ended = SESSION_STATES.filter((state) => !isOpen(state));
    expect(ended).toEqual(['completed', 'declined', 'expired', 'failed', 'superseded']);
    for (const from of ended) {
      for (const to of SESSION_STATES) {
        const allowed = from === 'completed' && to === 'superseded';
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(allowed);
      }
    }
    expect(canTransition('pending', 'superseded')).toBe(false);
    expect(canTransition('awaiting_consent', 'superseded')).toBe(false);
    expect(canTransition('awaiting_consent', 'pending')).toBe(false);
  });
});
