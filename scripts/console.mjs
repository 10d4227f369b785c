// Builds the web console (angular-ui/) so Pharos can serve it at /. Idempotent and cached:
//  - dependencies: `npm ci` in angular-ui only when its package-lock.json changed since the last
//    install (stamp: angular-ui/node_modules/.pharos-lock-hash holds the lockfile's hash);
//  - build: `ng build` only when the sources changed (stamp: dist/console/.pharos-source-hash,
//    a hash over src/, public/, the shared libs it compiles in, the Angular/TS configs and the lockfile). Finished builds are
//    also kept in ~/.cache/pharos/console/<source hash>, so a fresh clone or CI job with the
//    same sources copies the build instead of running Angular (cache that folder in CI, keyed
//    by the same hash: `node scripts/console.mjs --hash` prints it).
// Usage: node scripts/console.mjs [--hash | --force]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const ui = join(root, 'angular-ui');
const out = join(ui, 'dist', 'console');
const lockStamp = join(ui, 'node_modules', '.pharos-lock-hash');
const sourceStamp = join(out, '.pharos-source-hash');
const cacheRoot = process.env.PHAROS_CONSOLE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pharos', 'console');
const env = { ...process.env, NG_CLI_ANALYTICS: 'false', NG_FORCE_TTY: 'false' };
const log = (msg) => console.error(`[pharos console] ${msg}`);
const read = (p) => (existsSync(p) ? readFileSync(p, 'utf8').trim() : '');

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

function hashFiles(files) {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(relative(ui, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 32);
}

const lockHash = hashFiles([join(ui, 'package-lock.json')]);
const configFiles = ['package.json', 'package-lock.json', 'angular.json', 'tsconfig.json', 'tsconfig.app.json'].map((f) => join(ui, f));
// Libs the console compiles in (angular-ui/tsconfig.json "paths") are sources of the build too.
const sharedLibs = ['dashboard-model'].map((name) => join(root, 'libs', name, 'src'));
const sourceHash = hashFiles([...configFiles, ...walk(join(ui, 'src')), ...walk(join(ui, 'public')), ...sharedLibs.flatMap((d) => [...walk(d)])]);

if (process.argv.includes('--hash')) {
  console.log(sourceHash);
  process.exit(0);
}
const force = process.argv.includes('--force');

// One build at a time per checkout (npm start and npm test may both get here): a lock
// directory, created atomically; one older than 10 minutes is left over from a killed run.
const lock = join(ui, '.console-build.lock');
for (const deadline = Date.now() + 10 * 60_000; ; ) {
  try {
    mkdirSync(lock);
    break;
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`another console build holds ${lock}; remove it if no build is running`);
    else await new Promise((r) => setTimeout(r, 500));
  }
}
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));

if (!force && read(sourceStamp) === sourceHash && existsSync(join(out, 'browser', 'index.html'))) {
  log(`up to date (${sourceHash})`);
  process.exit(0);
}

const cached = join(cacheRoot, sourceHash);
if (!force && existsSync(join(cached, 'browser', 'index.html'))) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(ui, 'dist'), { recursive: true });
  cpSync(cached, out, { recursive: true });
  log(`restored the build of ${sourceHash} from ${cacheRoot}`);
  process.exit(0);
}

if (read(lockStamp) !== lockHash || !existsSync(join(ui, 'node_modules', '@angular', 'build'))) {
  log('installing dependencies (npm ci; the lockfile changed or nothing is installed)…');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: ui, stdio: 'inherit', env });
  writeFileSync(lockStamp, lockHash + '\n');
}

log('building (ng build)…');
const started = Date.now();
execFileSync(process.execPath, [join(ui, 'node_modules', '@angular', 'cli', 'bin', 'ng.js'), 'build', '--configuration', 'production'], {
  cwd: ui,
  stdio: 'inherit',
  env,
});
writeFileSync(sourceStamp, sourceHash + '\n');
log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);

// Publish to the cache atomically (copy, then rename), so a concurrent run never sees half a build.
try {
  mkdirSync(cacheRoot, { recursive: true });
  const tmp = `${cached}.tmp-${process.pid}`;
  cpSync(out, tmp, { recursive: true });
  if (existsSync(cached)) rmSync(tmp, { recursive: true, force: true });
  else renameSync(tmp, cached);
  // Keep the three newest builds (branch switches), not one per edit forever.
  const builds = readdirSync(cacheRoot)
    .filter((n) => /^[0-9a-f]{32}$/.test(n))
    .map((n) => ({ n, t: statSync(join(cacheRoot, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of builds.slice(3)) rmSync(join(cacheRoot, n), { recursive: true, force: true });
} catch (err) {
  log(`could not cache the build in ${cacheRoot}: ${err.message}`);
}
