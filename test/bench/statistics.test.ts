import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from '../../bench/statistics.js';

describe('bench statistics', () => {
  it('takes the middle value as the median of an odd sample, in any order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('averages the two middle values as the median of an even sample', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('interpolates percentiles between ranks', () => {
    const values = Array.from({ length: 101 }, (_, n) => n);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([10, 20], 99)).toBeCloseTo(19.9);
  });

  it('summarizes a sample into min, p50, p95, p99 and max', () => {
    expect(summarize([3, 1, 2])).toEqual({ count: 3, min: 1, p50: 2, p95: 2.9, p99: 2.98, max: 3 });
  });

  it('refuses an empty sample rather than inventing a figure', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});
