import { Keyv } from 'keyv';

import type { Emulator } from '../../../src/emulator/index.js';
import { systemClock } from '../../../src/kernel/clock.js';
import { createLarkClient, StoreTokenCache } from '../../../src/kernel/lark-client.js';
import { useEmulatorHarness } from '../../../test/emulator/sdk-harness.js';
import { captureLogs, type CapturedLogs } from '../../../test/support/memory-logger.js';
import { ApaasService, type ApaasServiceSettings } from '../apaas-service.js';
import { ApaasScopes } from '../scopes.js';
import { FakeUserTokenSource } from './fake-user-token-source.js';

export const WORKSPACE = 'ws_shop';
export const USER = 'ou_user_1';
export const ALL_WORKSPACE_SCOPES = [ApaasScopes.workspaceSql, ApaasScopes.workspaceTableRead,
  ApaasScopes.workspaceRecordRead, ApaasScopes.workspaceRecordWrite];

export const SETTINGS: ApaasServiceSettings = {
  rateLimit: { maxRetries: 3, maxWaitMs: 60_000, fallbackWaitMs: 1_000 },
  authorizationReuseMs: 600_000,
  authorizationWaitMs: 600_000,
  feature: 'Shop report',
};

export interface ApaasFixture {
  emu: Emulator;
  service: ApaasService;
  tokens: FakeUserTokenSource;
  logs: CapturedLogs;
  /** Every wait the client asked for after a rate limit, in ms (none really waited). */
  sleeps: number[];
}

/**
 * An emulator seeded with a shop workspace, the kernel's real SDK client pointed at it, and an
 * aPaaS service whose user tokens come from the emulator through a recording token source.
 */
export function useApaasFixture() {
  const harness = useEmulatorHarness();

  return async function start(): Promise<ApaasFixture> {
    const { emu, app } = await harness.startEmulator();
    emu.apaas.seedWorkspace({ workspaceId: WORKSPACE, tables: [
      { name: 'orders', description: 'Orders', records: [
        { item: 'tea', qty: 3 }, { item: 'coffee', qty: 12 }, { item: 'cake', qty: 7 },
        { item: 'pie', qty: 1 }, { item: 'juice', qty: 9 }] },
      { name: 'customers', records: [{ name: 'Ann' }] },
    ] });
    const logs = captureLogs('debug', [app.appSecret]);
    const lark = createLarkClient({ ...app, domain: emu.baseUrl },
      new StoreTokenCache(new Keyv(), systemClock), logs.logger);
    const tokens = new FakeUserTokenSource(emu);
    const sleeps: number[] = [];
    const service = new ApaasService({ lark, tokens, logger: logs.logger, clock: systemClock,
      sleep: async (ms) => { sleeps.push(ms); } }, SETTINGS);
    return { emu, service, tokens, logs, sleeps };
  };
}

/** Settles a promise into its value or its error, for asserting on either. */
export async function outcomeOf<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}
