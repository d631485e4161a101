import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

export interface FleetMember {
  index: number;
  child: ChildProcess;
  pid: number;
}

/**
 * Kernels as child processes, each started from the transpiled entry with its own config.
 * Their stdout/stderr (pino lines at warn and above) go to one log file per member for
 * post-mortems.
 */
export class KernelFleet {
  readonly members: FleetMember[] = [];
  readonly killedPids: number[] = [];
  private readonly logs: WriteStream[] = [];

  constructor(
    private readonly entry: string,
    private readonly config: (index: number) => object,
    private readonly logDir: string,
  ) {}

  async start(count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, (_, index) => this.launch(index)));
  }

  /** SIGKILL: no drain, no close, as a crash or the OOM killer would do it. */
  kill(index: number): number {
    const member = this.members[index]!;
    member.child.kill('SIGKILL');
    this.killedPids.push(member.pid);
    return member.pid;
  }

  async restart(index: number): Promise<void> {
    await this.launch(index);
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((member) => stopChild(member.child)));
    for (const log of this.logs) log.end();
  }

  private launch(index: number): Promise<void> {
    const log = createWriteStream(path.join(this.logDir, `kernel-${index}.log`), { flags: 'a' });
    this.logs.push(log);
    const child = fork(this.entry, [], {
      execArgv: [],
      env: { ...process.env, FAULT_KERNEL_CONFIG: JSON.stringify(this.config(index)) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`kernel ${index} exited (${code}) before it was ready; see its log`));
      child.once('exit', onExit);
      child.once('message', (message: { ready?: number }) => {
        if (message.ready === undefined) return;
        child.off('exit', onExit);
        this.members[index] = { index, child, pid: message.ready };
        resolve();
      });
    });
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
