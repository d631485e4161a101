/** The files `lark-service plugin new <name>` writes, as text. */
export interface PluginTemplateInput {
  /** The plugin's name: lowercase letters, digits and `-`. */
  name: string;
}

export function pluginFiles({ name }: PluginTemplateInput): Record<string, string> {
  const ident = camelCase(name);
  return {
    'index.ts': definition(name, ident),
    'options.ts': options(ident),
    'index.test.ts': test(name, ident),
    'README.md': readme(name),
    'tsconfig.json': tsconfig(),
  };
}

function definition(name: string, ident: string): string {
  return `import { definePlugin } from 'lark-service';
import { GroupMessageCommands } from 'lark-service/plugins/group-message';
import { ${ident}Options, type ${pascal(ident)}Options } from './options.js';

/** Answers \`/${name} [who]\` with the configured greeting. */
export default definePlugin<${pascal(ident)}Options>({
  name: '${name}',
  description: 'Greets whoever asks',
  options: ${ident}Options,
  requires: [GroupMessageCommands],
  start(ctx) {
    ctx.use(GroupMessageCommands).register({
      name: '${name}',
      description: 'Say hello',
      usage: '[who]',
      maxArgs: 1,
      owner: ctx.id,
      run: ({ args, message }) => {
        ctx.logger.debug({ chatType: message.chatType }, 'greeting');
        return \`\${ctx.options.greeting}, \${args[0] ?? 'there'}!\`;
      },
    });
  },
});
`;
}

function options(ident: string): string {
  return `import { z } from 'lark-service';

/** The plugin's options: validated when the service starts, defaults applied. */
export const ${ident}Options = z.strictObject({
  greeting: z.string().min(1).default('Hello'),
});

export type ${pascal(ident)}Options = z.output<typeof ${ident}Options>;
`;
}

function test(name: string, ident: string): string {
  return `import { afterEach, expect, it } from 'vitest';
import { startTestKit, type TestKit } from 'lark-service/testing';
import ${ident} from './index.js';

let kit: TestKit | undefined;
afterEach(async () => {
  await kit?.stop();
});

it('answers /${name} with the configured greeting', async () => {
  kit = await startTestKit({
    plugins: [{ use: 'group-message' }, { plugin: ${ident}, options: { greeting: 'Hi' } }],
  });
  await kit.sendMessage({ text: '/${name} Ann' });
  expect(kit.lastSent().text).toBe('Hi, Ann!');
});
`;
}

function readme(name: string): string {
  return `# ${name}

A Lark Service plugin. It registers the chat command \`/${name} [who]\` with the
group-message plugin and answers with a greeting.

## Configuration

\`\`\`yaml
plugins:
  - use: group-message
  - use: ./plugins/${name}/dist/index.js    # compiled by: npx tsc -p plugins/${name}
    options:
      greeting: Hello                  # default "Hello"
\`\`\`

## Test

\`\`\`sh
npx vitest run plugins/${name}
\`\`\`

The test starts the kernel, the platform emulator and an in-memory store in-process with
\`startTestKit\` from \`lark-service/testing\`. Node cannot import TypeScript, so a
configuration points at the compiled \`dist/index.js\` (\`npx tsc -p plugins/${name}\`).
`;
}

/** `tsc -p <folder>` compiles the plugin to `dist/`, which plain Node can import. */
function tsconfig(): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: true,
      types: [],
      rootDir: '.',
      outDir: 'dist',
    },
    include: ['*.ts'],
    exclude: ['*.test.ts', 'dist'],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function pascal(ident: string): string {
  return ident.charAt(0).toUpperCase() + ident.slice(1);
}
