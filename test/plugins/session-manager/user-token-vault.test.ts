import { randomBytes } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import {
  StoreUserTokenVault, type UserTokenRecord,
} from '../../../plugins/session-manager/user-token-vault.js';
import { VaultCipher } from '../../../plugins/session-manager/vault-cipher.js';
import { resolveVaultKey } from '../../../plugins/session-manager/vault-key.js';
import { systemClock } from '../../../src/kernel/clock.js';
import { openStorage, type Storage } from '../../../src/kernel/store/storage.js';

const APP_ID = 'cli_a1b2c3d4e5f60718';
const opened: Storage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

async function vaultWith(key: Buffer, storage?: Storage, discardUnreadable = false) {
  const store = storage
    ?? (await openStorage({ type: 'memory', prefix: 'vault-test' }, systemClock));
  if (!storage) opened.push(store);
  const keyv = store.namespace('plugin:session-manager');
  return { vault: new StoreUserTokenVault(keyv, store.coordination, new VaultCipher(key),
    systemClock, 'session-manager', discardUnreadable), keyv, storage: store };
}

function record(openId: string, accessToken = `eyJ${randomBytes(24).toString('base64url')}`):
  UserTokenRecord {
  const now = Date.now();
  return { appId: APP_ID, openId, accessToken, accessTokenExpiresAt: now + 7_200_000,
    refreshToken: `eyJ${randomBytes(24).toString('base64url')}`,
    refreshTokenExpiresAt: now + 604_800_000, scopes: ['offline_access'], grantedAt: now,
    updatedAt: now };
}

describe('user-token vault', () => {
  it('lists the users it holds a record for, once each, and forgets deleted ones', async () => {
    const { vault } = await vaultWith(randomBytes(32));
    await vault.put(record('ou_index_1'));
    await vault.put(record('ou_index_2'));
    await vault.put(record('ou_index_1'));
    await vault.delete(APP_ID, 'ou_index_2');

    expect(await vault.users(APP_ID)).toEqual(['ou_index_1']);
    expect(await vault.users('cli_0000000000000009')).toEqual([]);
  });

  it('prunes a listed user only while no record is stored for them', async () => {
    const { vault, keyv } = await vaultWith(randomBytes(32));
    await vault.put(record('ou_index_1'));
    await vault.put(record('ou_index_2'));
    // A record that lapsed by itself leaves its user listed.
    await keyv.delete(`token:${APP_ID}:ou_index_2`);

    expect(await vault.pruneUser(APP_ID, 'ou_index_1')).toBe(false);
    expect(await vault.pruneUser(APP_ID, 'ou_index_2')).toBe(true);
    expect(await vault.users(APP_ID)).toEqual(['ou_index_1']);
  });

  it('lists the users an earlier version kept in its one-record list', async () => {
    const { vault, keyv } = await vaultWith(randomBytes(32));
    await keyv.set(`token-index:${APP_ID}`, ['ou_earlier_1', 'ou_earlier_2']);
    await vault.put(record('ou_new_1'));

    expect((await vault.users(APP_ID)).sort()).toEqual(['ou_earlier_1', 'ou_earlier_2',
      'ou_new_1']);
    expect(await keyv.get(`token-index:${APP_ID}`)).toBeUndefined();
    expect((await vault.users(APP_ID)).sort()).toEqual(['ou_earlier_1', 'ou_earlier_2',
      'ou_new_1']);
  });

  it('keeps a user listed when their record is stored while they are being pruned', async () => {
    const { vault, keyv } = await vaultWith(randomBytes(32));
    await vault.put(record('ou_racing'));
    await keyv.delete(`token:${APP_ID}:ou_racing`);
    // The record is stored again between the prune's first look and its removal from the list.
    const realHas = keyv.has.bind(keyv);
    let looks = 0;
    keyv.has = (async (key: string) => {
      const found = await realHas(key);
      if (++looks === 1) await vault.put(record('ou_racing'));
      return found;
    }) as typeof keyv.has;

    expect(await vault.pruneUser(APP_ID, 'ou_racing')).toBe(false);
    expect(await vault.users(APP_ID)).toEqual(['ou_racing']);
    expect(await vault.get(APP_ID, 'ou_racing')).toBeDefined();
  });

  it('gives back what was put, keyed by app and user', async () => {
    const { vault } = await vaultWith(randomBytes(32));
    const stored = record('ou_vault_1');
    await vault.put(stored);
    expect(await vault.get(APP_ID, 'ou_vault_1')).toMatchObject({
      accessToken: stored.accessToken, refreshToken: stored.refreshToken });
    expect(await vault.get(APP_ID, 'ou_vault_2')).toBeUndefined();
  });

  it('stores nothing readable: no token in the stored value, and another key cannot open it',
    async () => {
      const { vault, keyv, storage } = await vaultWith(randomBytes(32));
      const stored = record('ou_vault_1');
      await vault.put(stored);

      const raw = JSON.stringify(await keyv.get(`token:${APP_ID}:ou_vault_1`));
      expect(raw).not.toContain(stored.accessToken);
      expect(raw).not.toContain(stored.refreshToken);
      const { vault: wrongKey } = await vaultWith(randomBytes(32), storage);
      await expect(wrongKey.get(APP_ID, 'ou_vault_1')).rejects.toMatchObject({
        code: 'LARK_E_VAULT_UNREADABLE' });
    });

  it('with a process-only key, drops a record an earlier run sealed, as if absent', async () => {
    const { vault, keyv, storage } = await vaultWith(randomBytes(32));
    await vault.put(record('ou_vault_1'));

    const { vault: nextRun } = await vaultWith(randomBytes(32), storage, true);

    expect(await nextRun.get(APP_ID, 'ou_vault_1')).toBeUndefined();
    expect(await keyv.get(`token:${APP_ID}:ou_vault_1`)).toBeUndefined();
  });

  it('refuses a record copied under another user', async () => {
    const { vault, keyv } = await vaultWith(randomBytes(32));
    await vault.put(record('ou_vault_1'));
    await keyv.set(`token:${APP_ID}:ou_vault_2`, await keyv.get(`token:${APP_ID}:ou_vault_1`));
    await expect(vault.get(APP_ID, 'ou_vault_2')).rejects.toMatchObject({
      code: 'LARK_E_VAULT_UNREADABLE' });
  });

  it('runs concurrent updates of one user one after the other, each seeing the last result',
    async () => {
      const { vault } = await vaultWith(randomBytes(32));
      await vault.put(record('ou_vault_1', 'eyJgeneration0'));
      const bump = () => vault.update(APP_ID, 'ou_vault_1', async (current) => {
        const generation = Number(current!.accessToken.replace('eyJgeneration', ''));
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { ...current!, accessToken: `eyJgeneration${generation + 1}` };
      });

      await Promise.all([bump(), bump(), bump()]);
      expect((await vault.get(APP_ID, 'ou_vault_1'))?.accessToken).toBe('eyJgeneration3');
    });

  it('deletes when an update returns undefined', async () => {
    const { vault } = await vaultWith(randomBytes(32));
    await vault.put(record('ou_vault_1'));
    await vault.update(APP_ID, 'ou_vault_1', async () => undefined);
    expect(await vault.get(APP_ID, 'ou_vault_1')).toBeUndefined();
  });
});

describe('vault key', () => {
  it('fails start-up naming the option when no key is set outside the emulator', () => {
    expect(() => resolveVaultKey(undefined, 'session-manager', false)).toThrow(
      expect.objectContaining({ code: 'LARK_E_VAULT_KEY_MISSING',
        message: expect.stringContaining('encryptionKey') }));
  });

  it('uses a process-only key in the embedded emulator default', () => {
    expect(resolveVaultKey(undefined, 'session-manager', true).source).toBe('ephemeral');
  });

  it('accepts 32 bytes as base64 or hex and refuses anything else', () => {
    const key = randomBytes(32);
    expect(resolveVaultKey(key.toString('base64'), 'sm', false).key).toEqual(key);
    expect(resolveVaultKey(key.toString('hex'), 'sm', false).key).toEqual(key);
    expect(() => resolveVaultKey('too-short', 'sm', false)).toThrow(
      expect.objectContaining({ code: 'LARK_E_VAULT_KEY_INVALID' }));
  });
});
