import { defineConfig } from 'vitest/config';

// The console's logic that needs no browser (URL state, time ranges, legends, chart input,
// completion selectors) is unit-tested in Node with the root's vitest; the pages themselves
// are tested in Chromium by tests/e2e. These tests run before the console's own dependencies
// are installed (`npm test` installs them only for the build), so a tested module may import
// only plain TypeScript and packages the root has (e.g. @prometheus-io/lezer-promql), never
// @angular/*.
// Libs shared with the server are imported as `@pharos/<lib>` (tsconfig.json "paths").
const lib = (name) => new URL(`../libs/${name}/src/index.ts`, import.meta.url).pathname;

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  resolve: { alias: { '@pharos/dashboard-model': lib('dashboard-model') } },
  test: { name: 'console-unit', include: ['src/**/*.test.ts'], environment: 'node' },
});
