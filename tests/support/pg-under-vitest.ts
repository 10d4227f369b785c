/**
 * Side-effect import for test files that reach PostgreSQL through `pg`; import it before
 * anything loads `pg`.
 *
 * Why: vitest starts its workers with `--conditions import` (from the `conditions` list in
 * vitest.config.ts), so inside tests Node's `require('pg-pool')` resolves the package's ESM
 * wrapper and returns a module namespace where node-postgres expects the Pool class ("Class
 * extends value [object Module] is not a constructor"). Outside vitest (`pharos start`) the
 * CommonJS entry is used and nothing here is needed. This seeds the require cache under the
 * ESM path with the CommonJS module; drop it once the test runner no longer forces `import`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const resolved = require.resolve('pg-pool');
if (resolved.endsWith('.mjs')) {
  const commonJsEntry = join(dirname(resolved), '..', 'index.js');
  require(commonJsEntry);
  require.cache[resolved] = require.cache[commonJsEntry];
}
