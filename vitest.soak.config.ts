import { defineConfig } from 'vitest/config';

// `npm run test:soak`: kill -9 at random points of real games (CI runs it after `npm test`).
export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
