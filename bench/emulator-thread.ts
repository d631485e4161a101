import { Worker } from 'node:worker_threads';
import type {
  AuthorizeBatch, AuthorizeReport, EmulatorCommand, EmulatorReply, EmulatorStartRequest,
  PushBatch, PushReport, TokenIssueView,
} from './emulator-protocol.js';

type Pending = { resolve(value: unknown): void; reject(err: Error): void };
type WithoutId<C> = C extends unknown ? Omit<C, 'id'> : never;
type CommandBody = WithoutId<EmulatorCommand>;

/** The runner's handle on the emulator worker: one command at a time, answered in order. */
export class EmulatorThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('./emulator-worker.js', import.meta.url));
    this.worker.on('message', (reply: EmulatorReply) => this.settle(reply));
    this.worker.on('error', (err) => this.failAll(err));
  }

  /** Starts a fresh emulator (stopping the previous one); resolves with its base URL. */
  start(request: EmulatorStartRequest): Promise<string> {
    return this.call({ op: 'start', request }) as Promise<string>;
  }

  async waitForConnections(count: number): Promise<void> {
    await this.call({ op: 'waitForConnections', count });
  }

  push(batch: PushBatch): Promise<PushReport> {
    return this.call({ op: 'push', batch }) as Promise<PushReport>;
  }

  /** Each user clicks Authorize on their card and consents on the page it links to. */
  authorize(batch: AuthorizeBatch): Promise<AuthorizeReport> {
    return this.call({ op: 'authorize', batch }) as Promise<AuthorizeReport>;
  }

  /** Issues each user a token pair, as if they had consented. */
  issueTokens(request: { appId: string; openIds: string[]; scopes: string[] }):
    Promise<TokenIssueView[]> {
    return this.call({ op: 'issueTokens', ...request }) as Promise<TokenIssueView[]>;
  }

  /** Requests the token endpoint received with this grant type. */
  countRequests(request: { grantType: string }): Promise<number> {
    return this.call({ op: 'countRequests', ...request }) as Promise<number>;
  }

  async stop(): Promise<void> {
    await this.call({ op: 'stop' });
  }

  async close(): Promise<void> {
    await this.stop().catch(() => undefined);
    await this.worker.terminate();
  }

  private call(body: CommandBody): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id });
    });
  }

  private settle(reply: EmulatorReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new Error(`emulator worker: ${reply.error}`));
  }

  private failAll(err: Error): void {
    for (const pending of this.pending.values()) pending.reject(err);
    this.pending.clear();
  }
}
