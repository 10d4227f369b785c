import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkKnownFailures,
  formatKnownFailureCheck,
  formatKnownFailures,
  formatPromQLTestSummary,
  parseKnownFailures,
  pharosPromQLTestTarget,
  runPromQLTestScript,
  type PromQLTestOptions,
  type PromQLTestScriptResult,
} from '#pharos/promql';
import { DuckDBMetricStore } from '#pharos/storage';

/**
 * Prometheus' own conformance suite — the promqltest scripts shipped in the Prometheus 3.16
 * module (`promql/promqltest/testdata`), read from the Go module cache, never copied — run
 * through Pharos' engine and metric store. Reports the pass rate per file; every eval not in
 * tests/promqltest/UPSTREAM_KNOWN_FAILURES must pass and every listed one must still fail.
 *
 * The scripts assume Prometheus' test engine configuration (experimental functions, delayed
 * name removal, binop fill modifiers, start timestamps), some of which are not server
 * defaults; evals that depend on those are among the known failures.
 *
 *   PHAROS_PROMQLTEST_SUMMARY=<file>                     also write the summary there
 *   PHAROS_PROMQLTEST_UPDATE_KNOWN_FAILURES=1            rewrite UPSTREAM_KNOWN_FAILURES
 */

const HERE = new URL('.', import.meta.url).pathname;
const KNOWN_FAILURES_FILE = join(HERE, 'UPSTREAM_KNOWN_FAILURES');
const CACHE = process.env.PHAROS_CACHE_DIR ?? join(homedir(), '.cache/pharos');
const UPSTREAM = join(CACHE, 'prometheus3/gopath/pkg/mod/github.com/prometheus/prometheus@v0.316.0/promql/promqltest/testdata');
const updating = process.env.PHAROS_PROMQLTEST_UPDATE_KNOWN_FAILURES === '1';

describe("Prometheus 3.16's promqltest suite on the Pharos engine", () => {
  let dir: string;
  let store: DuckDBMetricStore;
  let target: Pick<PromQLTestOptions, 'backend' | 'parse'>;
  const results: PromQLTestScriptResult[] = [];
  const known = parseKnownFailures(readFileSync(KNOWN_FAILURES_FILE, 'utf8'));

  beforeAll(async () => {
    if (!existsSync(UPSTREAM)) {
      // Building the oracle fetches the Prometheus module into the same module cache.
      const build = spawnSync('bash', [join(HERE, 'oracle.sh'), 'build'], { encoding: 'utf8', timeout: 30 * 60_000 });
      if (build.status !== 0) throw new Error(`cannot fetch the Prometheus module:\n${build.stdout}${build.stderr}`);
    }
    dir = mkdtempSync(join(tmpdir(), 'pharos-upstream-promqltest-'));
    store = await DuckDBMetricStore.open({ dir, now: () => 0, defaultRetentionMs: 100 * 365 * 86_400_000, threads: 1 });
    target = pharosPromQLTestTarget(store);
  }, 30 * 60_000);

  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (results.length === 0) return;
    console.log(`Prometheus' promqltest suite on Pharos:\n${formatPromQLTestSummary(results, { failures: false })}`);
    if (process.env.PHAROS_PROMQLTEST_SUMMARY) writeFileSync(process.env.PHAROS_PROMQLTEST_SUMMARY, formatPromQLTestSummary(results));
    if (updating) {
      writeFileSync(
        KNOWN_FAILURES_FILE,
        formatKnownFailures(
          results,
          "Evals of Prometheus 3.16's promql/promqltest/testdata/*.test (read from the Go module cache)\n" +
            'known to fail on the Pharos engine (id = script:line). Checked by tests/promqltest/upstream.test.ts.\n' +
            'Regenerate: PHAROS_PROMQLTEST_UPDATE_KNOWN_FAILURES=1 npx vitest run tests/promqltest/upstream.test.ts',
        ),
      );
    }
  });

  const scripts = existsSync(UPSTREAM) ? readdirSync(UPSTREAM).filter((f) => f.endsWith('.test')).sort() : [];

  it('finds the upstream scripts', () => {
    expect(readdirSync(UPSTREAM).filter((f) => f.endsWith('.test')).length).toBeGreaterThan(10);
  });

  for (const script of scripts) {
    it(script, async () => {
      const result = await runPromQLTestScript(readFileSync(join(UPSTREAM, script), 'utf8'), { ...target, name: script });
      results.push(result);
      if (updating) return;
      const problem = formatKnownFailureCheck(checkKnownFailures([result], known), 'tests/promqltest/UPSTREAM_KNOWN_FAILURES');
      if (problem) expect.fail(problem);
    }, 10 * 60_000);
  }
});
