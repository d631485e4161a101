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
  /** Returns the reply text, or nothing to stay silent. */
  run(context: CommandContext): string | void | Promise<string | void>;
}

/** Commands other plugins register through the group-message plugin. */
export class CommandRegistry {
  private readonly commands = new Map<string, Command>();

  constructor(readonly prefix: string) {}

  register(command: Command): void {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(command.name)) {
      throw new Error(`command name "${command.name}" must be lowercase letters, digits or "-"`);
    }
    if (this.commands.has(command.name)) {
      throw new Error(`command "${command.name}" is already registered`);
    }
    this.commands.set(command.name, command);
  }

  list(): Command[] {
    return [...this.commands.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Finds the command a text invokes, with its arguments; undefined when it is none. */
  parse(text: string): { command: Command; args: string[]; argText: string } | undefined {
    if (!text.startsWith(this.prefix)) return undefined;
    const body = text.slice(this.prefix.length);
    const [name = '', ...rest] = body.split(/\s+/);
    const command = this.commands.get(name.toLowerCase());
    if (!command) return undefined;
    const argText = body.slice(name.length).trim();
    return { command, args: rest.filter(Boolean), argText };
  }
}
