import { defineConfig } from 'vitest/config';

// The console's logic that needs no browser (URL state, time ranges, legends, chart input,
// completion selectors) is unit-tested in Node with the root's vitest; the pages themselves
// are tested in Chromium by tests/e2e.
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  test: { name: 'console-unit', include: ['src/**/*.test.ts'], environment: 'node' },
});
