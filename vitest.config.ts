import { defineConfig } from 'vitest/config';

// `source` makes `#pharos/*` imports resolve to TypeScript sources (see package.json "imports").
const conditions = ['source', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['libs/**/*.test.ts', 'apps/**/*.test.ts', 'bench/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // `expect.poll` waits 1 s by default: the end-to-end tests poll the console for what
          // a server round trip brings (variable options, a panel's value), which on a loaded
          // two-core machine, the first request of a cold server, has taken longer. A poll
          // still fails if the expected value never comes.
          expect: { poll: { timeout: 10_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
});
