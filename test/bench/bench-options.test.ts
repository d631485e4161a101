import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../bench/bench-options.js';

describe('bench options', () => {
  it('runs every scenario for 5 rounds after 1 warm-up by default', () => {
    expect(parseBenchOptions([]))
      .toMatchObject({ scenarios: [], rounds: 5, warmup: 1, quick: false });
  });

  it('runs 3 rounds under --quick unless --rounds says otherwise', () => {
    expect(parseBenchOptions(['--quick']).rounds).toBe(3);
    expect(parseBenchOptions(['--quick', '--rounds', '7']).rounds).toBe(7);
  });

  it('takes scenario names repeated or comma-separated', () => {
    const options = parseBenchOptions(['--scenario', 'throughput,ack-latency', '--scenario', 'x']);
    expect(options.scenarios).toEqual(['throughput', 'ack-latency', 'x']);
  });

  it('reads --set name=value overrides as numbers', () => {
    expect(parseBenchOptions(['--set', 'events=500', '--set', 'handler-ms=20']).overrides)
      .toEqual({ events: 500, 'handler-ms': 20 });
  });

  it('rejects an unknown option, naming it', () => {
    expect(() => parseBenchOptions(['--fast'])).toThrow(/unknown option --fast/);
  });
});
