import { defineConfig } from 'vitest/config';

// Three kinds of tests, one runner. `npm test` runs all of them; e2e drives Debian's Chromium.
export default defineConfig({
  test: {
    // Structured logs stay quiet in tests unless something is wrong.
    env: { WARDLEDGER_LOG: 'warn' },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
