// Makes a clone runnable: installs dependencies when missing or stale (npm ci, from the
// lock file) and builds TypeScript into dist/. Runs before `npm start` and `npm test`, on
// whatever Node the machine has (the project's own Node 24 arrives with `npm ci`).
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });
const mtime = (p) => (existsSync(root + p) ? statSync(root + p).mtimeMs : 0);

const installed = mtime('node_modules/.package-lock.json');
if (installed === 0 || mtime('package-lock.json') > installed || !existsSync(root + 'node_modules/.bin/node')) {
  console.error('[pharos] installing dependencies (npm ci)…');
  run('npm ci --no-audit --no-fund');
}
console.error('[pharos] building (tsc)…');
run('npm run --silent build');
// The web console (angular-ui/, with its own lockfile) is built when missing or stale; cached, so
// this is a hash check when nothing changed. Pharos still starts without it (the APIs work).
try {
  run('node scripts/console.mjs');
} catch {
  console.error('[pharos] the console could not be built (see above); Pharos will serve its APIs without it');
}
