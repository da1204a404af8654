import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 60_000,
    // Setup that fits a model (e.g. 300 fit steps) outlasts vitest's default 10 s on a busy 2-core machine.
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
