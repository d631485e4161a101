import type { Command, CommandRegistry } from './command-registry.js';

/** `/help` lists every command; `/help <name>` shows one command's usage. */
export function helpCommand(commands: CommandRegistry): Command {
  return {
    name: 'help',
    description: 'List the commands, or explain one',
    usage: '[command]',
    maxArgs: 1,
    owner: 'group-message',
    run: ({ args }) => {
      const [asked] = args;
      if (asked !== undefined) return explain(commands, asked.replace(commands.prefix, ''));
      return commands
        .list()
        .map((c) => `${commands.usageOf(c)} — ${c.description}`)
        .join('\n');
    },
  };
}

function explain(commands: CommandRegistry, name: string): string {
  const command = commands.get(name);
  if (!command) {
    const { prefix } = commands;
    return `There is no command ${prefix}${name}. Send ${prefix}help for the list.`;
  }
  return `${commands.usageOf(command)} — ${command.description}`;
}
