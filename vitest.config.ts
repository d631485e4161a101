import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Legacy decorators with metadata for every file, whichever tsconfig covers it.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: ['test/**/*.test.ts', 'plugins/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
