import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Pacer } from '../../../plugins/card-auth/pacer.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('card-auth pacer', () => {
  it('gives turns at most perSecond a second, in the order they were asked', async () => {
    const pacer = new Pacer(4);
    const turns: Array<{ caller: number; at: number }> = [];
    const callers = Array.from({ length: 10 }, (_, caller) =>
      pacer.turn().then(() => turns.push({ caller, at: Date.now() })));

    expect(pacer.backlogMs()).toBe(2_500);
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(callers);

    expect(turns.map((t) => t.caller)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(turns.map((t) => t.at)).toEqual([0, 250, 500, 750, 1_000, 1_250, 1_500, 1_750,
      2_000, 2_250]);
  });

  it('lets every waiting caller go with false when stopped, and refuses later ones', async () => {
    const pacer = new Pacer(1);
    const answers = Promise.all([pacer.turn(), pacer.turn(), pacer.turn()]);
    await vi.advanceTimersByTimeAsync(0);
    pacer.stop();

    expect(await answers).toEqual([true, false, false]);
    expect(await pacer.turn()).toBe(false);
  });
});
