// The test line of the README (`npm test`): type-check and dependency rules, then the unit
// suites, then the integration suites against real components (Prometheus, Kafka, …), which
// install and start what they need themselves. Ends with one summary line, "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv[2]; // optional: "unit" or "integration"
const env = { ...process.env, PHAROS_TEST: '1' };
let passed = 0;
let failed = 0;
let ok = true;

function step(name, cmd, args) {
  console.error(`\n[pharos test] ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`[pharos test] ${name} failed (exit ${r.status ?? r.signal})`);
    ok = false;
  }
  return r.status === 0;
}

// `config` runs a suite with its own vitest config (the console's Node-side unit tests).
function vitest(project, config) {
  mkdirSync(root + '.tmp', { recursive: true });
  const out = `${root}.tmp/vitest-${project}.json`;
  rmSync(out, { force: true });
  const select = config ? ['--config', config] : ['--project', project];
  step(`${project} tests`, 'npx', ['vitest', 'run', ...select, '--reporter=default', '--reporter=json', `--outputFile=${out}`]);
  try {
    const results = JSON.parse(readFileSync(out, 'utf8'));
    passed += results.numPassedTests;
    failed += results.numFailedTests;
    if (results.numTotalTests === 0) {
      console.error(`[pharos test] ${project}: no tests ran`);
      ok = false;
    }
  } catch {
    console.error(`[pharos test] ${project}: no results file (the run crashed)`);
    failed += 1;
    ok = false;
  }
}

if (!only) {
  step('type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  step('dependency rules', 'node', ['scripts/check-deps.mjs']);
}
if (!only || only === 'unit') {
  vitest('unit');
  vitest('console-unit', 'angular-ui/vitest.config.mjs');
}
if (!only || only === 'integration') {
  step('test peers (Debian packages)', 'bash', ['scripts/engines/debian-packages.sh']);
  // Prometheus 3.x (the Remote-Write 2.0 sender) is built from source once and cached in
  // ~/.cache/pharos; a first build takes several minutes.
  step('test peers (Prometheus 3.x, built with go install)', 'bash', ['scripts/engines/prometheus3.sh']);
  // The OpenTelemetry Collector's telemetrygen: an OTLP sender on the Go SDK (tests/otlp-telemetrygen.test.ts).
  step('test peers (telemetrygen, built with go install)', 'bash', ['scripts/engines/telemetrygen.sh']);
  // PostgreSQL for the metadata store's suite (tests/metadata-postgres.test.ts): Debian's server,
  // a throwaway cluster on a free loopback port, reused while it runs.
  step('test peers (PostgreSQL, throwaway cluster)', 'bash', ['scripts/engines/postgres.sh', 'up']);
  // The console's e2e tests (tests/e2e) drive its build in Chromium: install/build only when its
  // lockfile or sources changed (scripts/console.mjs keeps hash-keyed stamps and a build cache).
  step('console build (cached)', 'node', ['scripts/console.mjs']);
  vitest('integration');
}
console.log(`\nTests: ${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
