import type { EmulatorThread } from './emulator-thread.js';
import type { Measurement } from './results.js';

/**
 * One benchmark. A file in bench/scenarios/ whose default export is a Scenario is picked up
 * by the runner; `order` places it in the table.
 */
export interface Scenario {
  readonly name: string;
  readonly order: number;
  readonly description: string;
  /** Full-run counts; --quick divides them, --set name=value overrides one. */
  readonly counts: Readonly<Record<string, number>>;
  /** Settings (durations, windows) that --quick leaves alone; --set overrides them too. */
  readonly settings?: Readonly<Record<string, number>>;
  run(context: ScenarioContext): Promise<Measurement[]>;
}

export interface ScenarioContext {
  /** A scenario count: the default, divided under --quick, unless --set overrides it. */
  count(name: string): number;
  /** A scenario setting (a duration, a window): the default unless --set overrides it. */
  setting(name: string): number;
  readonly rounds: number;
  readonly warmup: number;
  /** Undefined when Redis variants are off (--no-redis) or no Redis answers. */
  readonly redisUrl: string | undefined;
  /** The platform emulator, on its own thread so it is not the bottleneck. */
  readonly emulator: EmulatorThread;
  /** A line on stderr so long runs show they are alive. */
  progress(message: string): void;
}
