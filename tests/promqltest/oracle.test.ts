import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePromQLTestScript } from '#pharos/promql';

/**
 * Proves Pharos' PromQL test scripts against real Prometheus: tests/promqltest/oracle.sh
 * builds (once, cached under ~/.cache/pharos) a Go test binary around Prometheus 3.16's own
 * promqltest runner and engine, and runs every libs/promql/testdata/*.test through it. Any
 * eval whose expectation differs from what Prometheus computes fails here.
 *
 * Needs Go and the Prometheus module in the Go module cache (scripts/engines/prometheus3.sh
 * puts it there; the Go module proxy fills in the rest on a first build).
 */

const HERE = new URL('.', import.meta.url).pathname;
const TESTDATA = join(HERE, '../../libs/promql/testdata');

function oracle(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('bash', [join(HERE, 'oracle.sh'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 30 * 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('PromQL test scripts against Prometheus 3.16', () => {
  it('builds the oracle', () => {
    const build = oracle('build');
    expect(build.status, build.output).toBe(0);
  }, 30 * 60_000);

  it('every eval of every script passes on Prometheus', () => {
    const run = oracle('run', TESTDATA);
    const failed = run.output.split('\n').filter((l) => /^\s*--- FAIL: TestScripts\/[^/]+\/line_/.test(l));
    // Prometheus' messages are the readable part of a failure.
    const messages = run.output.split('\n').filter((l) => /error in eval|expected .* but|Received unexpected error/.test(l));
    expect({ failed, messages, status: run.status }, run.output.slice(-20_000)).toEqual({ failed: [], messages: [], status: 0 });

    // Both runners read the same evals: Prometheus ran one subtest per eval line.
    const scripts = readdirSync(TESTDATA).filter((f) => f.endsWith('.test'));
    for (const script of scripts) {
      const ours = parsePromQLTestScript(readFileSync(join(TESTDATA, script), 'utf8'))
        .filter((c) => c.kind === 'eval')
        .map((c) => c.line)
        .sort((a, b) => a - b);
      const passed = [...run.output.matchAll(new RegExp(`--- PASS: TestScripts/${script.replace(/\./g, '\\.')}/line_(\\d+)/`, 'g'))].map((m) => Number(m[1]));
      expect([...new Set(passed)].sort((a, b) => a - b), script).toEqual(ours);
    }
  }, 30 * 60_000);
});
