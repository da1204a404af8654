// Browser tests: node-side vitest driving Debian's Chromium through playwright-core against the
// built app (dist/, served by `vite preview` from the global setup). `npm run test:browser` builds
// first, so what is tested is what ships.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    environment: 'node',
    globalSetup: ['test/browser/globalSetup.ts'],
    // One Chromium at a time: the machines have two cores and SwiftShader is CPU-bound.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
