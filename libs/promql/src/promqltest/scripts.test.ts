import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBMetricStore } from '#pharos/storage';
import { checkKnownFailures, formatKnownFailureCheck, formatKnownFailures, formatPromQLTestSummary, parseKnownFailures } from './report.js';
import { pharosPromQLTestTarget } from './pharos-target.js';
import { runPromQLTestScript, type PromQLTestOptions, type PromQLTestScriptResult } from './runner.js';

/**
 * Runs Pharos' PromQL test scripts (libs/promql/testdata/*.test, proven against Prometheus
 * 3.16 by tests/promqltest/oracle.test.ts) through the real engine over a real DuckDB metric
 * store. Every eval must pass unless it is listed in testdata/KNOWN_FAILURES, and every
 * listed eval must still fail, so the list only ever shrinks.
 *
 *   PHAROS_PROMQLTEST_SUMMARY=<file>            also write the per-script summary there
 *   PHAROS_PROMQLTEST_UPDATE_KNOWN_FAILURES=1   rewrite KNOWN_FAILURES from this run
 */

const TESTDATA = new URL('../../testdata/', import.meta.url).pathname;
const KNOWN_FAILURES_FILE = join(TESTDATA, 'KNOWN_FAILURES');
const scripts = readdirSync(TESTDATA)
  .filter((f) => f.endsWith('.test'))
  .sort();
const known = parseKnownFailures(readFileSync(KNOWN_FAILURES_FILE, 'utf8'));
const updating = process.env.PHAROS_PROMQLTEST_UPDATE_KNOWN_FAILURES === '1';

describe('PromQL test scripts on the Pharos engine', () => {
  let dir: string;
  let store: DuckDBMetricStore;
  let target: Pick<PromQLTestOptions, 'backend' | 'parse'>;
  const results: PromQLTestScriptResult[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-promqltest-'));
    // Scripts start at the Unix epoch: retention must not drop 1970.
    store = await DuckDBMetricStore.open({ dir, now: () => 0, defaultRetentionMs: 100 * 365 * 86_400_000, threads: 1 });
    target = pharosPromQLTestTarget(store);
  });

  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (results.length === 0) return;
    const summary = formatPromQLTestSummary(results, { failures: false });
    console.log(`PromQL test scripts on Pharos:\n${summary}`);
    if (process.env.PHAROS_PROMQLTEST_SUMMARY) writeFileSync(process.env.PHAROS_PROMQLTEST_SUMMARY, formatPromQLTestSummary(results));
    if (updating && results.length === scripts.length) {
      writeFileSync(
        KNOWN_FAILURES_FILE,
        formatKnownFailures(
          results,
          'Evals of libs/promql/testdata/*.test known to fail on the Pharos engine (id = script:line).\n' +
            'Checked by libs/promql/src/promqltest/scripts.test.ts: a listed eval that passes must be removed,\n' +
            'an eval not listed must pass. Regenerate: PHAROS_PROMQLTEST_UPDATE_KNOWN_FAILURES=1 npx vitest run libs/promql/src/promqltest/scripts.test.ts',
        ),
      );
    }
  });

  it('lists only evals of existing scripts in KNOWN_FAILURES', () => {
    const unknownScripts = [...known].filter((id) => !scripts.includes(id.slice(0, id.lastIndexOf(':'))));
    expect(unknownScripts).toEqual([]);
  });

  for (const script of scripts) {
    it(script, async () => {
      const text = readFileSync(join(TESTDATA, script), 'utf8');
      const result = await runPromQLTestScript(text, { ...target, name: script });
      results.push(result);
      expect(result.evals.length).toBeGreaterThan(0);
      if (updating) return;
      const problem = formatKnownFailureCheck(checkKnownFailures([result], known), 'libs/promql/testdata/KNOWN_FAILURES');
      if (problem) expect.fail(problem);
    });
  }
});
