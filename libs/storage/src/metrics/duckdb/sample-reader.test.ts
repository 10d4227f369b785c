import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ChunkHead } from './chunk-head.js';
import { encodeSamples } from './chunk-codec.js';
import { writeChunk } from './chunk-table.js';
import { blobCells, CHUNK_TYPES, forEachPreparedChunk, openWriter, SCHEMA } from './duckdb-io.js';
import { idRanges, readSamples } from './sample-reader.js';
import { xorshift32 as rng } from './test-random.js';


/** The value every source holds at `t` for series `id`, so duplicates agree and any mix-up shows. */
function valueAt(id: number, t: number): number {
  return id % 3 === 0 ? Math.sin(t / 7e5 + id) * 100 : Math.round(id * 1000 + t / 15_000) / 100;
}

describe('idRanges', () => {
  it('covers every id in at most 16 ranges spanning at most twice the ids, or gives up', () => {
    const next = rng(5);
    for (let round = 0; round < 2000; round++) {
      const n = 1 + (next() % 400);
      const spread = 1 + (next() % 6);
      const ids = new Set<number>();
      let id = next() % 1000;
      while (ids.size < n) ids.add((id += 1 + (next() % spread === 0 ? next() % (40 * spread) : 0)));
      const list = [...ids].sort(() => (next() & 1) - 0.5);
      const ranges = idRanges(list);
      if (ranges === undefined) {
        // Giving up is right only when no 16 ranges could do: the ids are scattered.
        const sorted = [...ids].sort((a, b) => a - b);
        const gaps = sorted.slice(1).map((x, i) => x - sorted[i]! - 1).sort((a, b) => b - a);
        const minimalSpan = sorted[sorted.length - 1]! - sorted[0]! + 1 - gaps.slice(0, 15).reduce((a, b) => a + b, 0);
        expect(minimalSpan).toBeGreaterThan(2 * n);
        continue;
      }
      expect(ranges.length / 2).toBeLessThanOrEqual(16);
      let span = 0;
      for (let k = 0; k < ranges.length; k += 2) {
        expect(ranges[k]!).toBeLessThanOrEqual(ranges[k + 1]!);
        if (k > 0) expect(ranges[k]!).toBeGreaterThan(ranges[k - 1]! + 1);
        span += ranges[k + 1]! - ranges[k]! + 1;
      }
      expect(span).toBeLessThanOrEqual(2 * n);
      for (const x of ids) {
        let inside = false;
        for (let k = 0; k < ranges.length; k += 2) if (x >= ranges[k]! && x <= ranges[k + 1]!) inside = true;
        expect(inside, `id ${x}`).toBe(true);
      }
    }
  });
});

describe('readSamples', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    for (const ddl of SCHEMA) await conn.run(ddl);
  });
  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
  });

  it('returns what a brute-force merge of disk chunks and head returns, for any range', async () => {
    const next = rng(77);
    for (let round = 0; round < 60; round++) {
      await conn.run('DELETE FROM chunks');
      const head = new ChunkHead();
      const expected = new Map<number, Map<number, number>>();
      const seriesCount = 1 + (next() % 8);
      // Every other id has data; some ids asked for have none, some with data are not asked for.
      const ids = Array.from({ length: seriesCount }, (_, i) => 1 + 2 * i + (i > 3 ? 10 : 0));
      const cw = await openWriter(conn, 'chunks', CHUNK_TYPES);
      const T0 = 1_700_000_000_000;
      for (const id of [...ids, 2, 99, 100]) {
        const n = next() % 900;
        const ts: number[] = [];
        let t = T0 + (next() % 60_000);
        for (let i = 0; i < n; i++) ts.push((t += next() % 4 === 0 ? 1 + (next() % 120_000) : 15_000));
        const all = new Map<number, number>();
        for (const x of ts) all.set(x, valueAt(id, x));
        // The older part on disk (in shuffled row order, sometimes a chunk twice), the newer in the head.
        const cut = next() % (n + 1);
        const chunks = encodeSamples(Float64Array.from(ts.slice(0, cut)), Float64Array.from(ts.slice(0, cut), (x) => valueAt(id, x)), cut);
        if (chunks.length > 0 && next() % 3 === 0) chunks.push(chunks[next() % chunks.length]!);
        chunks.sort(() => (next() % 5 === 0 ? (next() & 1) - 0.5 : 0));
        for (const c of chunks) writeChunk(cw, id, c);
        // Sometimes the head repeats the last sample on disk (a replay across a flush).
        const headFrom = cut > 0 && next() % 4 === 0 ? cut - 1 : cut;
        for (let i = headFrom; i < n; i++) head.append(id, ts[i]!, valueAt(id, ts[i]!));
        // Now and then late samples that overlap the disk part (out of order in the head).
        if (cut > 2 && next() % 3 === 0) {
          for (let k = 0; k < 5; k++) {
            const late = ts[next() % cut]! + 1 + (next() % 5);
            head.append(id, late, valueAt(id, late));
            all.set(late, valueAt(id, late));
          }
        }
        if (next() % 4 === 0) head.sealOutOfOrder();
        expected.set(id, all);
      }
      cw.close();
      for (let q = 0; q < 8; q++) {
        const span = 900 * 30_000;
        const a = T0 + (next() % span) - 100_000;
        const b = a + (next() % span);
        // Bounds on sample timestamps (inclusive at both ends) or between them.
        const times = [...expected.get(ids[0]!)!.keys()].sort((x, y) => x - y);
        const at = (): number => times[next() % times.length]!;
        const [start, end] = q === 0 ? [-Infinity, Infinity] : q % 2 === 1 && times.length > 0 ? [at(), at()].sort((x, y) => x - y) : [a, b];
        const got = await readSamples(conn, head, ids, start, end);
        for (const id of ids) {
          const want = [...expected.get(id)!].filter(([t]) => t >= start && t <= end).sort((x, y) => x[0] - y[0]);
          const run = got.get(id);
          if (want.length === 0) {
            expect(run, `series ${id} [${start}, ${end}]`).toBeUndefined();
            continue;
          }
          expect(run, `series ${id} [${start}, ${end}]`).toBeDefined();
          const [rt, rv, rn] = run!;
          expect(Array.from(rt.subarray(0, rn))).toEqual(want.map(([t]) => t));
          expect(Array.from(rv.subarray(0, rn))).toEqual(want.map(([, v]) => v));
        }
        for (const id of got.keys()) expect(ids).toContain(id);
      }
    }
  }, 120_000);

  it('copies BLOB cells by contiguous runs exactly as cell by cell', async () => {
    await conn.run('CREATE TABLE blobs (i UINTEGER NOT NULL, b BLOB NOT NULL)');
    const next = rng(3);
    const rows: Uint8Array[] = Array.from({ length: 5000 }, () => Uint8Array.from({ length: next() % 300 }, () => next() & 0xff));
    const w = await openWriter(conn, 'blobs', CHUNK_TYPES.slice(0, 1).concat(CHUNK_TYPES.slice(4)));
    rows.forEach((b, i) => {
      w.set(0, i);
      w.set(1, b);
      w.endRow();
    });
    w.close();
    const seen = new Set<number>();
    let shared = 0;
    await forEachPreparedChunk(conn, 'SELECT i, b FROM blobs WHERE i >= $1 AND i <= $2', [0, 1e9], (n, [iCol, bCol]) => {
      const cells = blobCells(bCol as never, n);
      for (let r = 0; r < n; r++) {
        if (r > 0 && cells[r]!.buffer === cells[r - 1]!.buffer) shared++;
        const i = iCol!.getItem(r) as number;
        seen.add(i);
        expect(Array.from(cells[r]!), `row ${i}`).toEqual(Array.from(rows[i]!));
      }
    });
    expect(seen.size).toBe(rows.length);
    // The run path was taken (a DuckDB upgrade that changes the vector layout shows here).
    expect(shared).toBeGreaterThan(rows.length / 2);
  });
});
