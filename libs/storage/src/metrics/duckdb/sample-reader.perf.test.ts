import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBBlobVector, type DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { ChunkHead } from './chunk-head.js';
import { decodeChunk } from './chunk-decoder.js';
import { referenceDecodeChunk } from './chunk-decoder.reference.js';
import { blobCells, forEachPreparedChunk, forEachRow } from './duckdb-io.js';
import { idRanges, readSamples } from './sample-reader.js';

/**
 * Where the cold read's CPU goes: the DuckDB query and BLOB transfer alone, `decodeChunk`
 * alone over the same chunks, and the whole `readSamples` (which adds merging and copies).
 * Opt-in, over a store that `bench/store-read.ts` filled (closed, so this opens its file):
 *
 *   node dist/bench/store-read.js --dir /tmp/store-read   # fills it once
 *   PHAROS_PERF=1 PHAROS_PERF_DIR=/tmp/store-read npx vitest run libs/storage/src/metrics/duckdb/sample-reader.perf.test.ts
 *
 * Times are CPU (`process.cpuUsage`, all threads), medians of 7; nothing is asserted about
 * them, the machine is shared.
 */
const DIR = process.env['PHAROS_PERF_DIR'] ?? '';
const REPS = 7;
const HOST0 = 'node-00000.eu-west-1.internal:9100';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function cpu(f: () => Promise<unknown> | unknown): Promise<number> {
  await f();
  const out: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const c0 = process.cpuUsage();
    await f();
    const d = process.cpuUsage(c0);
    out.push((d.user + d.system) / 1000);
  }
  return median(out);
}

describe.skipIf(process.env['PHAROS_PERF'] !== '1' || DIR === '')('cold read split', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const ids: number[] = [];
  let start = 0;
  let end = 0;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(join(DIR, 'metrics.duckdb'));
    conn = await instance.connect();
    await forEachRow(conn, `SELECT id FROM series WHERE labels LIKE '%${HOST0}%' ORDER BY id`, (get) => ids.push(get(0) as number));
    await forEachRow(conn, `SELECT min(min_ts), max(max_ts) FROM chunks`, (get) => {
      start = get(0) as number;
      end = get(1) as number;
    });
  });
  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
  });

  it('splits a 24 h read of one host into query, decode and the rest', async () => {
    // The rows and columns readSamples reads: the host's id ranges (its float gauges came last,
    // so two), timestamps as DOUBLE, BLOBs by runs.
    const ranges = idRanges(ids)!;
    const between = Array.from({ length: ranges.length / 2 }, (_, k) => `series_id BETWEEN ${ranges[2 * k]} AND ${ranges[2 * k + 1]}`);
    const sql = `SELECT series_id, min_ts::DOUBLE, max_ts::DOUBLE, count, data FROM chunks WHERE (${between.join(' OR ')}) AND max_ts >= $1 AND min_ts <= $2`;
    const params = [start, end];
    const wanted = new Set(ids);
    const blobs: Uint8Array[] = [];
    const firsts: number[] = [];
    const counts: number[] = [];
    let sink = 0;
    const query = (keep: boolean): Promise<void> =>
      forEachPreparedChunk(conn, sql, params, (rowCount, [idCol, minCol, maxCol, countCol, dataCol]) => {
        const data = blobCells(dataCol as DuckDBBlobVector, rowCount);
        for (let r = 0; r < rowCount; r++) {
          const id = idCol!.getItem(r) as number;
          if (!wanted.has(id)) continue;
          const first = minCol!.getItem(r) as number;
          const last = maxCol!.getItem(r) as number;
          const count = countCol!.getItem(r) as number;
          if (!keep) {
            sink += id + first + last + count + data[r]!.length;
            continue;
          }
          firsts.push(first);
          counts.push(count);
          blobs.push(data[r]!);
        }
      });
    await query(true);
    let samples = 0;
    for (const c of counts) samples += c;
    const ts = new Float64Array(samples);
    const vs = new Float64Array(samples);
    const decodeAll = (decode: typeof referenceDecodeChunk): void => {
      let at = 0;
      for (let i = 0; i < blobs.length; i++) {
        decode(blobs[i]!, firsts[i]!, counts[i]!, ts, vs, at);
        at += counts[i]!;
      }
    };
    const tQuery = await cpu(() => query(false));
    // Decoding is short: repeat it so one figure spans tens of milliseconds; the reference
    // (before) decoder and the fast one alternate, so load from others affects both alike.
    const oldTimes: number[] = [];
    const newTimes: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [decode, times] of [
        [referenceDecodeChunk, oldTimes],
        [decodeChunk, newTimes],
      ] as const) {
        times.push((await cpu(() => {
          for (let k = 0; k < 5; k++) decodeAll(decode);
        })) / 5);
      }
    }
    const tDecode = median(newTimes);
    const tDecodeBefore = median(oldTimes);
    const head = new ChunkHead();
    let read = 0;
    const tRead = await cpu(async () => {
      const runs = await readSamples(conn, head, ids, start, end);
      read = 0;
      for (const r of runs.values()) read += r[2];
    });
    expect(read).toBe(samples);
    expect(sink).toBeGreaterThan(0);
    const ns = (ms: number): string => ((ms * 1e6) / samples).toFixed(1);
    console.log(
      `${ids.length} series, ${blobs.length} chunks, ${samples} samples: query+transfer ${tQuery.toFixed(1)} ms (${ns(tQuery)} ns/sample), ` +
        `decode ${tDecode.toFixed(1)} ms (${ns(tDecode)}; reference decoder ${ns(tDecodeBefore)}), whole readSamples ${tRead.toFixed(1)} ms (${ns(tRead)}), rest ${(tRead - tQuery - tDecode).toFixed(1)} ms`,
    );
  }, 300_000);
});
