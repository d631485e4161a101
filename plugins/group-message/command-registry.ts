import type { IncomingMessage } from './message.js';

export interface CommandContext {
  /** Words after the command name. */
  args: string[];
  /** Everything after the command name, as typed. */
  argText: string;
  message: IncomingMessage;
}

export interface Command {
  /** Typed after the prefix, e.g. `login` for `/login`. Lowercase letters, digits, `-`. */
  name: string;
  description: string;
  /** How the arguments read in help, e.g. `<order-id> [note]`. */
  usage?: string;
  /** Fewest and most words the command takes; outside them the user gets the usage line. */
  minArgs?: number;
  maxArgs?: number;
  /** The plugin that registered it, shown nowhere but useful in logs. */
  owner?: string;
  /** Returns the reply text, or nothing to stay silent. */
  run(context: CommandContext): string | void | Promise<string | void>;
}

export type CommandInvocation =
  | { kind: 'run'; command: Command; args: string[]; argText: string }
  | { kind: 'bad-args'; command: Command; args: string[] };

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Commands other plugins register through the group-message plugin. */
export class CommandRegistry {
  private readonly commands = new Map<string, Command>();

  constructor(readonly prefix: string) {}

  /** Adds a command; returns the function that removes it again (for a plugin's stop). */
  register(command: Command): () => void {
    if (!NAME.test(command.name)) {
      throw new Error(`command name "${command.name}" must be lowercase letters, digits or "-"`);
    }
    const taken = this.commands.get(command.name);
    if (taken) {
      const by = taken.owner ? ` by plugin "${taken.owner}"` : '';
      throw new Error(`command "${command.name}" is already registered${by}; choose another name`);
    }
    this.commands.set(command.name, command);
    return () => {
      if (this.commands.get(command.name) === command) this.commands.delete(command.name);
    };
  }

  get(name: string): Command | undefined {
    return this.commands.get(name.toLowerCase());
  }

  list(): Command[] {
    return [...this.commands.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** `/name usage`: the line help shows and a wrong call gets back. */
  usageOf(command: Command): string {
    return `${this.prefix}${command.name}${command.usage ? ` ${command.usage}` : ''}`;
  }

  /** Finds the command a text invokes, with its arguments; undefined when it is none. */
  parse(text: string): CommandInvocation | undefined {
    if (!text.startsWith(this.prefix)) return undefined;
    const body = text.slice(this.prefix.length);
    const [name = '', ...rest] = body.split(/\s+/);
    const command = this.get(name);
    if (!command) return undefined;
    const args = rest.filter(Boolean);
    const tooFew = command.minArgs !== undefined && args.length < command.minArgs;
    const tooMany = command.maxArgs !== undefined && args.length > command.maxArgs;
    if (tooFew || tooMany) return { kind: 'bad-args', command, args };
    return { kind: 'run', command, args, argText: body.slice(name.length).trim() };
  }
}
