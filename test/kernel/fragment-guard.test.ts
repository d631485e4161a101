import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { guardFragments, type FragmentLimits } from '../../src/kernel/fragment-guard.js';
import { captureLogs } from '../support/memory-logger.js';

const LIMITS: FragmentLimits = { maxFragments: 64, maxMessageBytes: 1_024, maxPartialMessages: 2,
  maxAgeMs: 20_000 };
const clients: lark.WSClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close({ force: true });
});

/** A real SDK client whose frame handler is fed directly, with the guard in front of it. */
function setup() {
  const client = new lark.WSClient({ appId: 'cli_a1b2c3d4e5f60718', appSecret: 'fragment-secret',
    loggerLevel: lark.LoggerLevel.error });
  clients.push(client);
  const dispatched: unknown[] = [];
  const invoke = async (body: unknown) => void dispatched.push(body);
  Object.assign(client, { eventDispatcher: { invoke } });
  const { logger, lines } = captureLogs();
  guardFragments(client, logger, LIMITS);
  const sdk = client as unknown as { handleEventData(frame: object): Promise<void> };
  const feed = sdk.handleEventData;
  const frame = (messageId: string, sum: string, seq: string, text: string) => feed({
    headers: [{ key: 'type', value: 'event' }, { key: 'message_id', value: messageId },
      { key: 'sum', value: sum }, { key: 'seq', value: seq }, { key: 'trace_id', value: 't' }],
    payload: new TextEncoder().encode(text),
  });
  return { dispatched, lines, frame };
}

const body = JSON.stringify({ schema: '2.0', header: { event_id: 'e9', event_type: 'x.y_v1' },
  event: {} });
const thirds = [body.slice(0, 20), body.slice(20, 40), body.slice(40)];

describe('fragment guard', () => {
  it('reassembles an out-of-order set once, ignoring a duplicate fragment', async () => {
    const { dispatched, frame } = setup();
    await frame('m9', '3', '2', thirds[2]!);
    await frame('m9', '3', '0', thirds[0]!);
    await frame('m9', '3', '0', thirds[0]!);
    await frame('m9', '3', '1', thirds[1]!);
    expect(dispatched).toEqual([JSON.parse(body)]);
  });

  it('logs and drops frames with bad or oversized metadata, without throwing', async () => {
    const { dispatched, lines, frame } = setup();
    await frame('m1', 'abc', '0', body);
    await frame('m2', '1000000000', '0', body);
    await frame('m3', '3', '5', body);
    expect(dispatched).toEqual([]);
    const dropped = lines().filter((l) => l.msg === 'data frame dropped');
    expect(dropped.map((l) => l.messageId)).toEqual(['m1', 'm2', 'm3']);
  });

  it('drops a message whose fragments exceed the size cap', async () => {
    const { dispatched, lines, frame } = setup();
    const big = 'x'.repeat(600);
    await frame('m4', '2', '0', big);
    await frame('m4', '2', '1', big);
    expect(dispatched).toEqual([]);
    const dropped = lines().find((l) => l.msg === 'data frame dropped');
    expect(dropped).toMatchObject({ reason: 'too large' });
  });

  it('holds at most the capped number of partial messages, forgetting the oldest', async () => {
    const { dispatched, frame } = setup();
    await frame('old', '2', '0', thirds[0]!);
    await frame('mid', '2', '0', 'a');
    await frame('new', '2', '0', 'b');
    await frame('old', '2', '1', thirds[1]! + thirds[2]!);
    expect(dispatched).toEqual([]);
  });
});
