import { z } from 'zod';
import type { LarkEvent } from '../../src/kernel/dispatch/lark-event.js';
import {
  definePlugin,
  serviceToken,
  type PluginContext,
} from '../../src/kernel/plugins/plugin-definition.js';
import { BotIdentity } from './bot-identity.js';
import { CommandRegistry } from './command-registry.js';
import { readTextMessage } from './mentions.js';
import type { IncomingMessage, MessageReceivePayload } from './message.js';

export { CommandRegistry, type Command, type CommandContext } from './command-registry.js';
export type { IncomingMessage } from './message.js';

/** Other plugins register chat commands through this service. */
export const GroupMessageCommands = serviceToken<CommandRegistry>('group-message.commands');

const optionsSchema = z.strictObject({
  /** Commands start with this, e.g. `/help`. */
  commandPrefix: z.string().min(1).max(3).default('/'),
  /** In groups, only messages that mention the bot are answered. */
  requireMentionInGroups: z.boolean().default(true),
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
  if (message.chatType !== 'p2p' && ctx.options.requireMentionInGroups && !message.mentionedBot) {
    ctx.logger.debug(fields, 'group message without a mention of the bot ignored');
    return;
  }
  const reply = await answer(message, commands, ctx.options);
  if (!reply) return;
  await ctx.lark.im.v1.message.reply({
    path: { message_id: message.messageId },
    data: {
      msg_type: 'text',
      content: JSON.stringify({ text: reply }),
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
  if (invocation) {
    return invocation.command.run({ args: invocation.args, argText: invocation.argText, message });
  }
  if (options.defaultReply) return options.defaultReply.split('{text}').join(message.text);
}

function helpCommand(commands: CommandRegistry) {
  return {
    name: 'help',
    description: 'List the commands',
    run: () =>
      commands
        .list()
        .map((c) => `${commands.prefix}${c.name} — ${c.description}`)
        .join('\n'),
  };
}
