import { afterEach, describe, expect, it } from 'vitest';
import { GroupMessageCommands } from '../../plugins/group-message/index.js';
import { definePlugin } from '../../src/kernel/plugins/plugin-definition.js';
import { startTestKit, type TestKit, type TestKitOptions } from '../../src/testing/index.js';

/** Another plugin's command with arguments: `/order <id> [note...]`. */
const orders = definePlugin({
  name: 'orders',
  requires: [GroupMessageCommands],
  start(ctx) {
    ctx.use(GroupMessageCommands).register({
      name: 'order', description: 'Show an order', usage: '<id> [note]', minArgs: 1,
      run: ({ args, argText }) => `order ${args[0]} (${argText})`,
    });
  },
});

let kit: TestKit | undefined;
afterEach(async () => {
  await kit?.stop();
  kit = undefined;
});

async function start(options: Record<string, unknown> = {}, extra: TestKitOptions = {}) {
  kit = await startTestKit({ plugins: [{ use: 'group-message', options }, orders], ...extra });
  return kit;
}

describe('group-message plugin', () => {
  it("runs another plugin's command with its arguments", async () => {
    const k = await start();
    await k.sendMessage({ text: '/order 42 rush please' });
    expect(k.lastSent().text).toBe('order 42 (42 rush please)');
  });

  it('answers a command called without its required argument with its usage', async () => {
    const k = await start();
    await k.sendMessage({ text: '/order' });
    expect(k.lastSent().text).toBe('Usage: /order <id> [note]');
  });

  it('lists every command with its usage on /help, and explains one on /help <name>', async () => {
    const k = await start();
    await k.sendMessage({ text: '/help' });
    expect(k.lastSent().text).toBe(
      '/help [command] — List the commands, or explain one\n/order <id> [note] — Show an order',
    );
    await k.sendMessage({ text: '/help order' });
    expect(k.lastSent().text).toBe('/order <id> [note] — Show an order');
  });

  it('ignores a group message without a mention, answers one with it', async () => {
    const k = await start();
    await k.sendMessage({ chatType: 'group', text: '/order 1' });
    expect(k.sent()).toHaveLength(0);
    await k.sendMessage({ chatType: 'group', text: '/order 2', mentionBot: true });
    expect(k.lastSent('oc_kit_group').text).toBe('order 2 (2)');
  });

  it('answers group messages without a mention when the policy says so', async () => {
    const k = await start({ requireMentionInGroups: false });
    await k.sendMessage({ chatType: 'group', text: '/order 3' });
    expect(k.lastSent('oc_kit_group').text).toBe('order 3 (3)');
  });

  it('warns at start that answering unmentioned group messages needs the group scope', async () => {
    const k = await start({ requireMentionInGroups: false });
    const warning = k.logs.lines().find((l) => l.level === 'warn' && l.plugin === 'group-message');
    expect(String(warning?.msg)).toContain('im:message.group_msg');
  });

  it('answers only the chats on the allow-list', async () => {
    const k = await start({ allowedChats: ['oc_allowed'] });
    await k.sendMessage({ chatId: 'oc_other', text: '/order 4' });
    await k.sendMessage({ chatId: 'oc_allowed', text: '/order 5' });
    expect(k.sent().map((m) => [m.chatId, m.text])).toEqual([['oc_allowed', 'order 5 (5)']]);
  });

  it('replies in the thread when the message was in one, in the chat otherwise', async () => {
    const k = await start();
    await k.sendMessage({ text: '/order 6', threadId: 'omt_thread_1' });
    await k.sendMessage({ text: '/order 7' });
    expect(k.sent().map((m) => m.replyInThread)).toEqual([true, false]);
    expect(k.sent().every((m) => m.replyTo !== undefined)).toBe(true);
  });

  it('refuses a second command of the same name, naming the plugin that has it', async () => {
    const clash = definePlugin({
      name: 'clash',
      requires: [GroupMessageCommands],
      start: (ctx) => {
        const commands = ctx.use(GroupMessageCommands);
        commands.register({ name: 'help', description: 'mine', run: () => 'x' });
      },
    });
    const failing = startTestKit({ plugins: [{ use: 'group-message' }, clash] });
    await expect(failing).rejects.toThrow(
      /command "help" is already registered by plugin "group-message"/,
    );
  });
});
