import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin } from '../../src/kernel/plugins/plugin-definition.js';
import {
  KIT_USER, TestClock, callbackValues, startTestKit, type TestKit,
} from '../../src/testing/index.js';

let kit: TestKit | undefined;
const folders: string[] = [];
afterEach(async () => {
  await kit?.stop();
  kit = undefined;
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

/** Sends a card with one button; answers its click with a toast naming the clock's time. */
const cards = definePlugin({
  name: 'cards',
  start(ctx) {
    ctx.on('im.message.receive_v1', async (event) => {
      const chatId = (event.payload as { message: { chat_id: string } }).message.chat_id;
      const card = { schema: '2.0', body: { elements: [{ tag: 'button',
        text: { tag: 'plain_text', content: 'Go' },
        behaviors: [{ type: 'callback', value: { op: 'go', at: ctx.clock.now() } }] }] } };
      await ctx.lark.im.v1.message.create({ params: { receive_id_type: 'chat_id' },
        data: { receive_id: chatId, msg_type: 'interactive', content: JSON.stringify(card) } });
    });
    ctx.onCardAction({ op: 'go' }, (action) => ({
      toast: { type: 'success', content: `go by ${action.operatorOpenId} at ${ctx.clock.now()}` },
    }));
  },
});

describe('test kit', () => {
  it('clicks a button of a card the app sent and returns the answer the user got', async () => {
    kit = await startTestKit({ plugins: [cards], clock: new TestClock(1_000) });
    await kit.sendMessage({ text: 'card please' });
    const card = kit.lastSent('oc_kit_direct');
    expect(callbackValues(card.card)).toEqual([{ op: 'go', at: 1_000 }]);
    (kit.clock as TestClock).advance(500);
    const answer = await kit.clickButton(card);
    expect(answer).toEqual({ toast: { type: 'success', content: `go by ${KIT_USER} at 1500` } });
  });

  it('takes an object configuration and a plugin loaded by npm package name', async () => {
    const project = await mkdtemp(path.join(tmpdir(), 'kit-package-'));
    folders.push(project);
    const pkg = path.join(project, 'node_modules', 'lark-plugin-wave');
    await mkdir(pkg, { recursive: true });
    await writeFile(path.join(pkg, 'package.json'), JSON.stringify(
      { name: 'lark-plugin-wave', type: 'module', exports: './index.js' }));
    await writeFile(path.join(pkg, 'index.js'), `export default { name: 'wave', start(ctx) {
      ctx.onCardAction({ op: 'wave' }, () =>
        ({ toast: { type: 'info', content: 'wave ' + ctx.options.to } }));
    } };\n`);
    kit = await startTestKit({
      config: { plugins: [{ use: 'lark-plugin-wave', options: { to: 'Ann' } }] },
      baseDir: project,
    });
    expect(await kit.clickCard({ value: { op: 'wave' } }))
      .toEqual({ toast: { type: 'info', content: 'wave Ann' } });
  });

  it('reads both JSON 2.0 behaviors and JSON 1.0 button values from a card', () => {
    const v1 = { elements: [{ tag: 'action', actions: [
      { tag: 'button', value: { op: 'a' } }, { tag: 'button', url: 'https://x' }] }] };
    const v2 = { schema: '2.0', body: { elements: [{ tag: 'column_set', columns: [{ elements: [
      { tag: 'button', behaviors: [{ type: 'open_url', default_url: 'https://x' },
        { type: 'callback', value: { op: 'b' } }] }] }] }] } };
    expect([callbackValues(v1), callbackValues(v2)]).toEqual([[{ op: 'a' }], [{ op: 'b' }]]);
  });

  it('fails consentAsUser with a clear error when no consent driver is set', async () => {
    kit = await startTestKit();
    await expect(kit.consentAsUser('ou_someone')).rejects.toMatchObject({
      code: 'LARK_E_TESTKIT_NO_CONSENT',
    });
  });

  it('hands consentAsUser to the given driver with the user and their last card', async () => {
    const asked: unknown[] = [];
    kit = await startTestKit({ plugins: [cards], consent: { consent: async (r) => {
      asked.push(r.openId);
    } } });
    await kit.consentAsUser('ou_consenting');
    expect(asked).toEqual(['ou_consenting']);
  });

  it('names the entry when a plugin given to the kit is not a definition', async () => {
    const start = startTestKit({ plugins: [{ name: 'x' } as never] });
    await expect(start).rejects.toThrow(/plugins\[0\] is not a plugin definition/);
  });

  it('builds typed events with its defaults; a message pushed twice is handled once', async () => {
    kit = await startTestKit({ plugins: [cards] });
    const message = kit.build.message({ text: 'twice', messageId: 'om_twice_1' });
    await kit.push(message);
    await kit.push(message);
    expect(kit.sent({ chatId: 'oc_kit_direct' })).toHaveLength(1);
    expect(kit.build.cardAction({ value: { op: 'go' } })).toMatchObject({
      header: { event_type: 'card.action.trigger' },
      event: { operator: { open_id: KIT_USER }, action: { value: { op: 'go' } } },
    });
  });
});
