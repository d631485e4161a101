import type { Measurement } from './results.js';
import { median } from './statistics.js';

export type Side = 'kernel' | 'raw';

export interface AlternationPlan {
  rounds: number;
  warmup: number;
  /** Named in progress lines, e.g. "throughput/memory". */
  label: string;
  progress(message: string): void;
}

export interface Paired<T> {
  kernel: T[];
  raw: T[];
}

/**
 * Runs `measure` for both sides, round after round, alternating which side goes first
 * (kernel-raw, raw-kernel, ...) so drift in machine load falls on both alike. Warm-up rounds
 * run the same way and are discarded.
 */
export async function alternate<T>(
  plan: AlternationPlan,
  measure: (side: Side) => Promise<T>,
  describe: (value: T) => string,
): Promise<Paired<T>> {
  const paired: Paired<T> = { kernel: [], raw: [] };
  const total = plan.warmup + plan.rounds;
  for (let round = 0; round < total; round++) {
    const warm = round < plan.warmup;
    const order: Side[] = round % 2 === 0 ? ['kernel', 'raw'] : ['raw', 'kernel'];
    for (const side of order) {
      const value = await measure(side);
      const name = warm ? `warm-up ${round + 1}/${plan.warmup}`
        : `round ${round - plan.warmup + 1}/${plan.rounds}`;
      plan.progress(`${plan.label} ${name} ${side}: ${describe(value)}`);
      if (!warm) paired[side].push(value);
    }
  }
  return paired;
}

/**
 * One comparison entry: each side's median over the rounds, and the median of the per-round
 * ratios kernel / raw (each ratio pairs two runs made back to back).
 */
export function comparison(
  base: Pick<Measurement, 'scenario' | 'metric' | 'unit' | 'target' | 'note'>,
  paired: Paired<number>,
): Measurement {
  const kernel = median(paired.kernel);
  // A round where the raw side measured 0 has no ratio (the figure is a count, e.g. of late ACKs).
  const ratios = paired.kernel
    .map((value, round) => value / paired.raw[round]!)
    .filter((ratio) => Number.isFinite(ratio));
  return {
    ...base,
    value: kernel,
    kernel,
    raw: median(paired.raw),
    ...(ratios.length > 0 && { ratio: median(ratios) }),
    rounds: { kernel: paired.kernel, raw: paired.raw },
  };
}
