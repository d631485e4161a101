import { describe, expect, it } from 'vitest';
import { ConcurrencyGate, PluginQueues } from '../../src/kernel/dispatch/plugin-queues.js';

/** A task the test finishes by hand, recording when it started. */
function manualTask(started: number[], id: number) {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { task: () => { started.push(id); return done; }, finish: () => finish(),
    fail: (err: Error) => fail(err) };
}

describe('plugin queues', () => {
  it('runs at most the limit at once and starts the others in arrival order', async () => {
    const gate = new ConcurrencyGate(2);
    const started: number[] = [];
    const tasks = [1, 2, 3, 4].map((id) => manualTask(started, id));
    const runs = tasks.map((t) => gate.run(t.task));
    expect(started).toEqual([1, 2]);
    expect(gate.pending()).toBe(4);
    tasks[1]!.finish();
    await runs[1];
    expect(started).toEqual([1, 2, 3]);
    tasks[0]!.finish();
    await runs[0];
    expect(started).toEqual([1, 2, 3, 4]);
    tasks[2]!.finish();
    tasks[3]!.finish();
    await Promise.all(runs);
    expect(gate.pending()).toBe(0);
  });

  it("passes a task's failure to its caller and frees the slot", async () => {
    const gate = new ConcurrencyGate(1);
    const started: number[] = [];
    const failing = manualTask(started, 1);
    const next = manualTask(started, 2);
    const first = gate.run(failing.task);
    const second = gate.run(next.task);
    failing.fail(new Error('handler broke'));
    await expect(first).rejects.toThrow('handler broke');
    expect(started).toEqual([1, 2]);
    next.finish();
    await second;
  });

  it('counts a task that throws before returning a promise as failed, not stuck', async () => {
    const gate = new ConcurrencyGate(1);
    await expect(gate.run(() => { throw new Error('sync'); })).rejects.toThrow('sync');
    expect(gate.pending()).toBe(0);
    await expect(gate.run(async () => 'ran')).resolves.toBe('ran');
  });

  it('resolves idle once every queued and running task of every plugin settled', async () => {
    const queues = new PluginQueues(1);
    const started: number[] = [];
    const a = manualTask(started, 1);
    const b = manualTask(started, 2);
    const c = manualTask(started, 3);
    void queues.run('one', a.task);
    void queues.run('one', b.task);
    void queues.run('two', c.task);
    let idle = false;
    const idled = queues.idle().then(() => { idle = true; });
    expect(queues.pending()).toBe(3);
    a.finish();
    c.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    expect(started).toEqual([1, 3, 2]);
    b.finish();
    await idled;
    expect(queues.pending()).toBe(0);
  });
});
