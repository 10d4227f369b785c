import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBMetricStore } from '#pharos/storage';
import { parsePromQL } from '../parser/parse.js';
import { pharosPromQLTestTarget } from '../promqltest/pharos-target.js';
import { runPromQLTestScript } from '../promqltest/runner.js';
import { PromQLEngine } from './engine.js';

/**
 * Binary-operator fill modifiers beyond Prometheus' own fill-modifier.test: NaN fills,
 * comparisons with and without `bool`, `group_x` extra labels on filled series, histograms,
 * and duplicate detection. Every expectation below was checked against Prometheus 3.16's
 * engine with fill modifiers enabled (`PHAROS_ORACLE_ENGINE=upstream bash
 * tests/promqltest/oracle.sh run <this script>`); the fill modifiers are experimental there, so
 * the script cannot live in testdata/, whose oracle runs Prometheus' server configuration.
 */
const SCRIPT = `
load 1m
  req{job="api",inst="1"} 10
  req{job="api",inst="2"} 20
  req{job="db",inst="1"} 30
  lim{job="api",inst="1"} 4
  lim{job="web",inst="9"} 7
  team{job="api",owner="a"} 1
  team{job="mail",owner="m"} 1
  h{job="api",inst="1"} {{schema:0 sum:4 count:4 buckets:[1 2 1]}}
  h{job="cache",inst="1"} {{schema:0 sum:2 count:2 buckets:[2]}}

eval instant at 0m req - fill(NaN) lim
  {job="api",inst="1"} 6
  {job="api",inst="2"} NaN
  {job="db",inst="1"} NaN
  {job="web",inst="9"} NaN

eval instant at 0m req > bool fill_right(15) lim
  {job="api",inst="1"} 1
  {job="api",inst="2"} 1
  {job="db",inst="1"} 1

eval instant at 0m req < fill_left(5) lim
  {job="web",inst="9"} 5

eval instant at 0m req * on(job) group_left(owner) fill(2) team
  {job="api",inst="1",owner="a"} 10
  {job="api",inst="2",owner="a"} 20
  {job="db",inst="1"} 60
  {job="mail",owner="m"} 2

eval instant at 0m team * on(job) group_right(owner) fill_right(3) req
  {job="api",inst="1",owner="a"} 10
  {job="api",inst="2",owner="a"} 20
  {job="mail",owner="m"} 3

eval instant at 0m h * fill(2) lim
  {job="api",inst="1"} {{schema:0 sum:16 count:16 buckets:[4 8 4]}}
  {job="cache",inst="1"} {{schema:0 sum:4 count:4 buckets:[4]}}
  {job="web",inst="9"} 14

eval instant at 0m req + on(inst) fill(0) lim
  expect fail msg: multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)
`;

let dir: string;
let store: DuckDBMetricStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pharos-fill-'));
  store = await DuckDBMetricStore.open({ dir, now: () => 0, defaultRetentionMs: 100 * 365 * 86_400_000, threads: 1 });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('binop fill modifiers', () => {
  it('answer as Prometheus 3.16 does', async () => {
    const result = await runPromQLTestScript(SCRIPT, { ...pharosPromQLTestTarget(store), name: 'fill' });
    expect(result.evals.length).toBe(7);
    expect(result.evals.filter((e) => !e.passed).map((e) => `${e.id}: ${e.message}`)).toEqual([]);
  });

  it('are refused by an engine whose parser does not enable them, as by default in Prometheus', async () => {
    const engine = new PromQLEngine({ store });
    await expect(engine.instantQuery({ tenant: 'fill-off', query: 'a + fill(0) b', timeMs: 0 })).rejects.toThrow(
      'binop fill modifiers are experimental and not enabled',
    );
    // Without the modifier syntax, `fill` is an ordinary metric name.
    expect(() => parsePromQL('a + fill')).not.toThrow();
  });
});
