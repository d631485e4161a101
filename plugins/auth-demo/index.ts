import { z } from 'zod';

import { definePlugin } from '../../src/kernel/plugins/plugin-definition.js';
import { CardAuthorization } from '../card-auth/index.js';
import { GroupMessageCommands, type CommandContext } from '../group-message/index.js';
import { UserTokenVault } from '../session-manager/index.js';

const options = z.strictObject({
  command: z.string().default('calendar'),
  scopes: z.array(z.string()).default(['calendar:calendar:readonly']),
});

/**
 * A small example of a plugin that needs a user's authorization: its chat command answers
 * at once when the user's token is in the vault, and otherwise asks for authorization with
 * a card and carries on when the session ends. The embedded default runs it.
 */
export default definePlugin<z.output<typeof options>>({
  name: 'auth-demo',
  description: 'Example command that needs the user to authorize the app first',
  options,
  requires: [GroupMessageCommands, CardAuthorization, UserTokenVault],
  start(ctx) {
    const auth = ctx.use(CardAuthorization);
    const vault = ctx.use(UserTokenVault);

    const run = async ({ message }: CommandContext): Promise<string> => {
      const openId = message.senderOpenId;
      if (!openId) return 'I cannot tell who you are.';
      const stored = await vault.get(ctx.appId, openId);
      if (stored && ctx.options.scopes.every((scope) => stored.scopes.includes(scope))) {
        return 'You have authorized me already: here is your calendar (demo).';
      }
      const ticket = await auth.requestAuthorization({ openId, scopes: ctx.options.scopes,
        reason: 'To show your calendar, the bot needs to read it.', chatId: message.chatId });
      void auth.waitForAuthorization(ticket.sessionId).then(
        (session) => ctx.logger.info({ sessionId: session.id, state: session.state },
          'authorization ended; the calendar request can continue'),
        (err: unknown) => ctx.logger.warn({ err, sessionId: ticket.sessionId },
          'authorization did not end'));
      return 'I need your authorization first: please use the card I sent.';
    };

    ctx.use(GroupMessageCommands).register({ name: ctx.options.command,
      description: 'Show your calendar (asks for your authorization the first time)', run });
  },
});
