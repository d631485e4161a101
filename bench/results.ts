import os from 'node:os';

/** One figure the benchmark reports. */
export interface Measurement {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** For comparisons: the two sides measured in the same run, and kernel / raw. */
  kernel?: number;
  raw?: number;
  ratio?: number;
  /** What a figure is judged against, e.g. ">= 0.9". */
  target?: string;
  /** Each round's value, kernel and raw side, so a reader can see the spread. */
  rounds?: { kernel: number[]; raw: number[] } | number[];
  note?: string;
}

export interface Machine {
  cpuModel: string;
  cores: number;
  totalMemoryBytes: number;
  node: string;
  platform: string;
  loadAverage: number[];
}

export interface BenchReport {
  startedAt: string;
  durationMs: number;
  machine: Machine;
  settings: Record<string, unknown>;
  results: Measurement[];
  /** Scenarios that did not complete, with the reason. */
  failures?: string[];
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}
