import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/kernel/clock.js';
import { Keyv } from 'keyv';
import { Coordination } from '../../src/kernel/store/coordination.js';
import { MemoryCoordinationBackend } from '../../src/kernel/store/memory-coordination.js';
import { MemoryKeyvMap, openStorage, type Storage } from '../../src/kernel/store/storage.js';
import type { StoreConfig } from '../../src/kernel/config/config-schema.js';
import { describeWithRedis, REDIS_URL } from '../support/redis.js';

class ManualClock implements Clock {
  constructor(public ms = 1_000_000) {}
  now() {
    return this.ms;
  }
}

const opened: Storage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function open(config: StoreConfig, clock: Clock = new ManualClock()) {
  const storage = await openStorage(config, clock);
  opened.push(storage);
  return storage;
}

const unique = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const sqliteFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'lark-store-')), 'store.db');

function storeContract(name: string, config: () => StoreConfig, useClock: boolean) {
  describe(`${name} store`, () => {
    it('keeps namespaces apart', async () => {
      const storage = await open(config());
      await storage.namespace('a').set('k', { n: 1 });
      await storage.namespace('b').set('k', { n: 2 });
      expect(await storage.namespace('a').get('k')).toEqual({ n: 1 });
      expect(await storage.namespace('b').get('k')).toEqual({ n: 2 });
    });

    it('lets exactly one of many concurrent claims win', async () => {
      const storage = await open(config());
      const key = unique();
      const wins = await Promise.all(
        Array.from({ length: 20 }, () => storage.coordination.claim(key, 60_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('claims several keys for one thing: a later claim sharing any of them loses', async () => {
      const storage = await open(config());
      const [a, b, c] = [unique(), unique(), unique()];
      const wins = await Promise.all([
        storage.coordination.claimAll([a, b], 60_000, 'processing'),
        storage.coordination.claimAll([c, b], 60_000, 'processing'),
      ]);
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await storage.coordination.claimAll([a], 60_000)).toBe(false);
      expect(await storage.coordination.read(a)).toBe('processing');
    });

    it('never releases a lock held by another owner', async () => {
      const storage = await open(config());
      const key = unique();
      const first = await storage.coordination.tryLock(key, 60_000);
      expect(first).toBeDefined();
      expect(await storage.coordination.tryLock(key, 60_000)).toBeUndefined();
      expect(await first!.release()).toBe(true);
      const second = await storage.coordination.tryLock(key, 60_000);
      expect(second).toBeDefined();
      expect(await first!.release()).toBe(false);
      expect(await storage.coordination.tryLock(key, 60_000)).toBeUndefined();
    });

    it('keeps every field of an index written at once by many writers', async () => {
      const storage = await open(config());
      const index = storage.coordination.index(unique());
      await Promise.all(Array.from({ length: 200 },
        (_, i) => index.set(`s${i}`, `pending:${i}`, 60_000)));
      await index.set('s7', 'completed:7', 60_000);
      const entries = await index.entries();
      expect(entries.size).toBe(200);
      expect(entries.get('s7')).toBe('completed:7');
      expect(entries.get('s199')).toBe('pending:199');
      expect(await index.delete('s7')).toBe(true);
      expect(await index.delete('s7')).toBe(false);
      expect((await index.entries()).has('s7')).toBe(false);
      expect((await index.entries()).size).toBe(199);
    });

    it('keeps indexes apart by name', async () => {
      const storage = await open(config());
      const [a, b] = [storage.coordination.index(unique()), storage.coordination.index(unique())];
      await a.set('f', '1', 60_000);
      expect([...(await b.entries()).keys()]).toEqual([]);
      expect(await b.delete('f')).toBe(false);
      expect([...(await a.entries())]).toEqual([['f', '1']]);
    });

    if (useClock) {
      it('drops each index field when its own time to live has passed', async () => {
        const clock = new ManualClock();
        const storage = await open(config(), clock);
        const index = storage.coordination.index('sessions');
        await index.set('short', 'a', 1_000);
        await index.set('long', 'b', 5_000);
        clock.ms += 999;
        expect([...(await index.entries()).keys()].sort()).toEqual(['long', 'short']);
        clock.ms += 2;
        expect([...(await index.entries())]).toEqual([['long', 'b']]);
        expect(await index.delete('short')).toBe(false);
        await index.set('short', 'c', 1_000);
        expect((await index.entries()).get('short')).toBe('c');
      });

      it('lets a claim be taken again once its time to live has passed', async () => {
        const clock = new ManualClock();
        const storage = await open(config(), clock);
        expect(await storage.coordination.claim('k', 1_000)).toBe(true);
        clock.ms += 999;
        expect(await storage.coordination.claim('k', 1_000)).toBe(false);
        clock.ms += 2;
        expect(await storage.coordination.claim('k', 1_000)).toBe(true);
      });
    }
  });
}

storeContract('memory', () => ({ type: 'memory', prefix: unique() }), true);
storeContract('sqlite', () => ({ type: 'sqlite', path: sqliteFile(), prefix: 'p' }), true);

describe('memory store', () => {
  it('sweeps records, claims and index fields whose time to live has passed', async () => {
    const clock = new ManualClock();
    const records = new MemoryKeyvMap();
    const keyv = new Keyv({ store: records, namespace: 'n', serialize: JSON.stringify,
      deserialize: JSON.parse });
    const backend = new MemoryCoordinationBackend(clock);
    const coordination = new Coordination(backend, 'p');
    await keyv.set('short', 'a', 1_000);
    await keyv.set('long', 'b', 5_000);
    await keyv.set('forever', 'c');
    await coordination.claim('event:1', 1_000);
    await coordination.claim('event:2', 5_000);
    const index = coordination.index('sessions');
    await index.set('s1', 'pending', 1_000);
    await index.set('s2', 'pending', 5_000);
    await coordination.index('other').set('s3', 'pending', 1_000);

    clock.ms += 1_000;
    // keyv times its records by the wall clock.
    expect(records.sweep(Date.now() + 1_000)).toBe(1);
    expect(backend.sweep()).toBe(3);

    expect([...records.keys()].sort()).toEqual(['n:forever', 'n:long']);
    expect(await coordination.claim('event:1', 1_000)).toBe(true);
    expect(await coordination.claim('event:2', 1_000)).toBe(false);
    expect([...(await index.entries()).keys()]).toEqual(['s2']);
    expect(backend.sweep()).toBe(0);
  });
});

describe('memory index', () => {
  it('keeps a field set again while a read was dropping the expired ones', async () => {
    const clock = new ManualClock();
    const backend = new MemoryCoordinationBackend(clock);
    await backend.mapSet('k', 'f', 'old-f', 10);
    await backend.mapSet('k', 'g', 'old-g', 10);
    clock.ms += 100;

    const reading = backend.mapEntries('k');
    await backend.mapSet('k', 'g', 'new-g', 60_000);
    await reading;

    expect((await backend.mapEntries('k')).get('g')).toBe('new-g');
  });
});

describe('sqlite store', () => {
  it('keeps values and claims across a reopen of the file', async () => {
    const file = sqliteFile();
    const first = await openStorage({ type: 'sqlite', path: file, prefix: 'p' }, new ManualClock());
    await first.namespace('n').set('k', 'v');
    await first.coordination.claim('event:1', 60_000);
    await first.close();
    const second = await open({ type: 'sqlite', path: file, prefix: 'p' });
    expect(await second.namespace('n').get('k')).toBe('v');
    expect(await second.coordination.claim('event:1', 60_000)).toBe(false);
  });
});

describeWithRedis('redis store', () => {
  storeContract('redis', () => ({ type: 'redis', url: REDIS_URL, prefix: unique() }), false);

  it('shares claims between two connections, as two instances would', async () => {
    const prefix = unique();
    const a = await open({ type: 'redis', url: REDIS_URL, prefix });
    const b = await open({ type: 'redis', url: REDIS_URL, prefix });
    expect(await a.coordination.claim('event:1', 60_000)).toBe(true);
    expect(await b.coordination.claim('event:1', 60_000)).toBe(false);
  });

  it('expires index fields on the server clock, each on its own', async () => {
    const storage = await open({ type: 'redis', url: REDIS_URL, prefix: unique() });
    const index = storage.coordination.index('sessions');
    await index.set('short', 'a', 40);
    await index.set('long', 'b', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect([...(await index.entries())]).toEqual([['long', 'b']]);
  });

  it('fails with a clear error when Redis cannot be reached', async () => {
    await expect(
      openStorage({ type: 'redis', url: 'redis://127.0.0.1:1', prefix: 'x' }, new ManualClock()),
    ).rejects.toMatchObject({ code: 'LARK_E_STORE_UNAVAILABLE' });
  });
});
