import { z } from 'zod';
import type { LarkEvent } from '../../src/kernel/dispatch/lark-event.js';
import {
  definePlugin,
  serviceToken,
  type PluginContext,
} from '../../src/kernel/plugins/plugin-definition.js';
import { BotIdentity } from './bot-identity.js';
import { CommandRegistry } from './command-registry.js';
import { helpCommand } from './help-command.js';
import { readTextMessage } from './mentions.js';
import { judgeMessage } from './message-policy.js';
import type { IncomingMessage, MessageReceivePayload } from './message.js';

export {
  CommandRegistry,
  type Command,
  type CommandContext,
  type CommandInvocation,
} from './command-registry.js';
export type { IncomingMessage } from './message.js';

/** Other plugins register chat commands through this service. */
export const GroupMessageCommands = serviceToken<CommandRegistry>('group-message.commands');

const optionsSchema = z.strictObject({
  /** Commands start with this, e.g. `/help`. */
  commandPrefix: z.string().min(1).max(3).default('/'),
  /**
   * In groups, only messages that mention the bot are answered. Without the sensitive
   * `im:message.group_msg` scope the platform only delivers those anyway.
   */
  requireMentionInGroups: z.boolean().default(true),
  /** Only these chats are answered (direct chats included); every chat when absent. */
  allowedChats: z.array(z.string().regex(/^oc_/, 'must be a chat id (oc_...)')).optional(),
  /** Reply to text that is not a command; `{text}` is replaced by what the user wrote. */
  defaultReply: z.string().min(1).optional(),
});

type Options = z.output<typeof optionsSchema>;

export default definePlugin<Options>({
  name: 'group-message',
  description: 'Answers messages to the bot: commands from other plugins, help, a default reply',
  options: optionsSchema as z.ZodType<Options>,
  provides: [GroupMessageCommands],
  start(ctx) {
    const commands = new CommandRegistry(ctx.options.commandPrefix);
    const bot = new BotIdentity(ctx.lark, ctx.logger);
    commands.register(helpCommand(commands));
    ctx.provide(GroupMessageCommands, commands);
    if (!ctx.options.requireMentionInGroups) {
      ctx.logger.warn(
        {},
        'answering group messages without a mention needs the im:message.group_msg scope; ' +
          'without it the platform only delivers messages that mention the bot',
      );
    }
    void bot.openId();
    ctx.on<MessageReceivePayload>('im.message.receive_v1', (event) =>
      onMessage(ctx, event, commands, bot),
    );
  },
});

async function onMessage(
  ctx: PluginContext<Options>,
  event: LarkEvent<MessageReceivePayload>,
  commands: CommandRegistry,
  bot: BotIdentity,
): Promise<void> {
  const message = readTextMessage(event.payload, await bot.openId());
  if (!message) return;
  const fields = { eventId: event.eventId, chatType: message.chatType };
  const verdict = judgeMessage(message, ctx.options);
  if (verdict !== 'answer') {
    ctx.logger.debug({ ...fields, verdict }, 'message left unanswered by policy');
    return;
  }
  const reply = await answer(message, commands, ctx.options);
  if (!reply) return;
  await ctx.lark.im.v1.message.reply({
    path: { message_id: message.messageId },
    data: {
      msg_type: 'text',
      content: JSON.stringify({ text: reply }),
      // A message in a thread (topic) is answered in that thread, not in the main chat.
      reply_in_thread: message.threadId !== undefined,
    },
  });
  ctx.logger.info(fields, 'replied to message');
}

async function answer(
  message: IncomingMessage,
  commands: CommandRegistry,
  options: Options,
): Promise<string | void> {
  const invocation = commands.parse(message.text);
  if (invocation?.kind === 'bad-args') return `Usage: ${commands.usageOf(invocation.command)}`;
  if (invocation) {
    return invocation.command.run({ args: invocation.args, argText: invocation.argText, message });
  }
  if (options.defaultReply) return options.defaultReply.split('{text}').join(message.text);
}
