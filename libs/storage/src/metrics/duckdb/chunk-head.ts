import { ChunkArena, decodeChunk, MAX_CHUNK_SAMPLES, NO_CHUNK, type EncodedChunk } from './chunk-codec.js';
import { encodeSealedChunks, packChunk, packHint } from './chunk-packer.js';
import { CommittedChunks } from './committed-chunks.js';
import { LogReader, LogWriter } from './head-log.js';
import { sampleWins, SampleColumns } from './sample-order.js';

/** A chunk cut from the head (or built from out-of-order samples) and not yet committed. */
export interface ClosedChunk extends EncodedChunk {
  readonly id: number;
}

/** Samples of one source, sorted and deduplicated: `[timestamps, values, length]`. */
export type Run = [Float64Array, Float64Array, number];

export const APPENDED = 0;
export const OUT_OF_ORDER = 1;
export const DUPLICATE = 2;

const f64 = new Float64Array(2);
const words = new Uint32Array(f64.buffer);

function sameBits(a: number, b: number): boolean {
  f64[0] = a;
  f64[1] = b;
  return words[0] === words[2] && words[1] === words[3];
}

/**
 * The in-memory head of the float samples: per series an open compressed chunk (slot `id`
 * of a {@link ChunkArena}), the chunks cut since the last flush, and a small buffer of
 * out-of-order samples. In-order appends cost a few typed-array writes and some bits; there
 * are no per-sample objects and a series costs ~300 bytes whatever its sample count.
 *
 * Durability of open chunks: each flush writes, for every series appended to since the
 * previous flush, the bytes its open chunk gained ({@link packLog}); on open the store
 * replays those segments ({@link restore}). Chunks are identified within the log by a
 * per-series generation byte bumped at every cut.
 */
export class ChunkHead {
  readonly arena = new ChunkArena();
  /** Newest float timestamp of the series anywhere (head or disk): older samples are out of order. */
  maxT = new Float64Array(0);
  private hint = new Uint8Array(0);
  /** Step and factor for the series' next chunk, from its previous one (see `STEP_MODE` in chunk-codec.ts). */
  private stepHint = new Float64Array(0);
  private factorHint = new Float64Array(0);
  private gen = new Uint8Array(0);
  private logGen = new Uint8Array(0);
  private logBits = new Uint16Array(0);
  private dirtyFlag = new Uint8Array(0);
  /** 1 once a chunk of the series was cut at or past {@link FIRST_CHUNK_MIN_SAMPLES} (see `firstChunkSamples`). */
  private staggered = new Uint8Array(0);
  private dirtyIds = new Uint32Array(1024);
  private dirtyCount = 0;
  /** Closed chunks not yet committed to disk, by series; a flush removes them after its commit. */
  readonly closed = new Map<number, ClosedChunk[]>();
  readonly ooo = new Map<number, SampleColumns>();
  /** What flushes committed: the disk's newest chunk end per series and the chunks kept for reads. */
  private readonly committed = new CommittedChunks<ClosedChunk>();
  private capacity = 0;

  /** `logBlobBytes`: size at which head-log segments start a new blob (tests make it small). */
  constructor(private readonly logBlobBytes = 4 << 20) {}

  private ensure(id: number): void {
    if (id < this.capacity) return;
    this.arena.ensure(id);
    const cap = this.arena.capacity;
    const grow = <T extends Float64Array | Uint16Array | Uint8Array>(a: T, fill: number): T => {
      const next = new (a.constructor as new (n: number) => T)(cap);
      next.set(a);
      next.fill(fill, a.length);
      return next;
    };
    this.maxT = grow(this.maxT, -Infinity);
    this.committed.ensure(cap);
    this.hint = grow(this.hint, NO_CHUNK);
    this.stepHint = grow(this.stepHint, 0);
    this.factorHint = grow(this.factorHint, 1);
    this.gen = grow(this.gen, 0);
    this.logGen = grow(this.logGen, NO_CHUNK);
    this.logBits = grow(this.logBits, 0);
    this.dirtyFlag = grow(this.dirtyFlag, 0);
    this.staggered = grow(this.staggered, 0);
    this.capacity = cap;
  }

  /** Appends one sample; returns {@link APPENDED}, {@link OUT_OF_ORDER} or {@link DUPLICATE}. */
  append(id: number, t: number, v: number): number {
    if (id >= this.capacity) this.ensure(id);
    const a = this.arena;
    const max = this.maxT[id]!;
    if (t <= max) {
      // The exact sample again (a replay) is dropped here; anything else is resolved at read.
      if (t === a.lastTs[id] && a.hdr[id] !== NO_CHUNK && sameBits(v, a.lastV[id]!)) return DUPLICATE;
      let buf = this.ooo.get(id);
      if (buf === undefined) this.ooo.set(id, (buf = new SampleColumns(4)));
      buf.push(t, v);
      return OUT_OF_ORDER;
    }
    this.maxT[id] = t;
    if (a.hdr[id] === NO_CHUNK) {
      a.start(id, t, v, this.hint[id]!, this.stepHint[id]!, this.factorHint[id]!);
    } else if ((this.staggered[id] === 0 && a.count[id]! >= firstChunkSamples(id)) || !a.append(id, t, v)) {
      if (a.count[id]! >= FIRST_CHUNK_MIN_SAMPLES) this.staggered[id] = 1;
      this.cut(id);
      a.start(id, t, v, this.hint[id]!, this.stepHint[id]!, this.factorHint[id]!);
    }
    this.markDirty(id);
    return APPENDED;
  }

  private markDirty(id: number): void {
    if (this.dirtyFlag[id] === 1) return;
    this.dirtyFlag[id] = 1;
    if (this.dirtyCount === this.dirtyIds.length) {
      const next = new Uint32Array(this.dirtyIds.length * 2);
      next.set(this.dirtyIds);
      this.dirtyIds = next;
    }
    this.dirtyIds[this.dirtyCount++] = id;
  }

  /** Moves the open chunk of `id` to {@link closed}. */
  private cut(id: number): void {
    const a = this.arena;
    if (a.hdr[id] === NO_CHUNK) return;
    this.addClosed({ id, minT: a.firstTs[id]!, maxT: a.lastTs[id]!, count: a.count[id]!, data: packChunk(a.bytes(id), a.firstTs[id]!, a.count[id]!) });
    this.hint[id] = a.nextHint(id);
    this.stepHint[id] = packHint.step;
    this.factorHint[id] = packHint.factor;
    a.hdr[id] = NO_CHUNK;
    this.gen[id] = (this.gen[id]! + 1) % NO_CHUNK;
    this.markDirty(id);
  }

  private addClosed(c: ClosedChunk): void {
    const list = this.closed.get(c.id);
    if (list === undefined) this.closed.set(c.id, [c]);
    else list.push(c);
  }

  /** Encodes the out-of-order buffers into closed chunks (they overlap other chunks in time; reads merge). */
  sealOutOfOrder(): void {
    for (const [id, buf] of this.ooo) {
      buf.normalize();
      for (const c of encodeSealedChunks(buf.ts, buf.vs, buf.length)) this.addClosed({ id, ...c });
    }
    this.ooo.clear();
  }

  /** Every closed chunk, for a flush to write; it calls {@link releaseClosed} after committing. */
  closedChunks(): ClosedChunk[] {
    const out: ClosedChunk[] = [];
    const ids = [...this.closed.keys()].sort((a, b) => a - b);
    for (const id of ids) for (const c of this.closed.get(id)!) out.push(c);
    return out;
  }

  /**
   * Takes `chunks`, now committed to disk, out of the closed ones; the newest stay readable
   * from memory for a while (see {@link CommittedChunks}).
   */
  releaseClosed(chunks: readonly ClosedChunk[]): void {
    for (const c of chunks) {
      const list = this.closed.get(c.id);
      if (list === undefined) continue;
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.closed.delete(c.id);
    }
    this.committed.committed(chunks, this.maxT);
  }

  /**
   * Decoded samples of `id` in `[start, end]` from the open chunk, the closed chunks and the
   * out-of-order buffer, as runs (each sorted; runs may overlap). Copies: the caller owns them.
   * `withKept` adds the committed chunks kept in memory: for a read that will not look for
   * this series on disk (`diskMaxT(id) < start`), where they would be found again.
   */
  collect(id: number, start: number, end: number, runs: Run[], withKept = false): void {
    if (id >= this.capacity) return;
    const a = this.arena;
    const kept = withKept ? this.committed.kept(id) : undefined;
    if (kept !== undefined) {
      for (const c of kept) if (c.minT <= end && c.maxT >= start) pushDecoded(c.data, c.minT, c.count, start, end, runs);
    }
    if (a.hdr[id] !== NO_CHUNK && a.firstTs[id]! <= end && a.lastTs[id]! >= start) {
      pushDecoded(a.bytes(id), a.firstTs[id]!, a.count[id]!, start, end, runs);
    }
    const closed = this.closed.get(id);
    if (closed !== undefined) {
      for (const c of closed) if (c.minT <= end && c.maxT >= start) pushDecoded(c.data, c.minT, c.count, start, end, runs);
    }
    const buf = this.ooo.get(id);
    if (buf !== undefined) {
      buf.normalize();
      let n = 0;
      for (let i = 0; i < buf.length; i++) if (buf.ts[i]! >= start && buf.ts[i]! <= end) n++;
      if (n > 0) {
        const ts = new Float64Array(n);
        const vs = new Float64Array(n);
        for (let i = 0, k = 0; i < buf.length; i++) {
          const t = buf.ts[i]!;
          if (t >= start && t <= end) {
            ts[k] = t;
            vs[k++] = buf.vs[i]!;
          }
        }
        runs.push([ts, vs, n]);
      }
    }
  }

  /**
   * The newest end of a chunk of `id` on disk and not kept in memory, as far as this head
   * knows (see {@link CommittedChunks.diskMaxT}); raised by {@link raiseMaxT} (the store's
   * open, from the chunks table) and {@link releaseClosed} (every flush commit). A read of
   * `[start, end]` past it can skip the disk: a refresh's window lies in the newest chunks.
   */
  diskMaxT(id: number): number {
    return this.committed.diskMaxT(id);
  }

  /** True when `id` has a head sample in `[start, end]`; decodes only when a chunk straddles the range. */
  hasDataIn(id: number, start: number, end: number): boolean {
    if (id >= this.capacity) return false;
    const a = this.arena;
    if (a.hdr[id] !== NO_CHUNK && chunkHas(a.bytes(id), a.firstTs[id]!, a.lastTs[id]!, a.count[id]!, start, end)) return true;
    for (const c of this.closed.get(id) ?? []) if (chunkHas(c.data, c.minT, c.maxT, c.count, start, end)) return true;
    const buf = this.ooo.get(id);
    if (buf !== undefined) for (let i = 0; i < buf.length; i++) if (buf.ts[i]! >= start && buf.ts[i]! <= end) return true;
    return false;
  }

  /** Time bounds of the head data of `id` ([+∞, -∞] when none). */
  bounds(id: number): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    if (id >= this.capacity) return [lo, hi];
    const a = this.arena;
    if (a.hdr[id] !== NO_CHUNK) (lo = a.firstTs[id]!), (hi = a.lastTs[id]!);
    for (const c of this.closed.get(id) ?? []) (lo = Math.min(lo, c.minT)), (hi = Math.max(hi, c.maxT));
    const buf = this.ooo.get(id);
    if (buf !== undefined) for (let i = 0; i < buf.length; i++) (lo = Math.min(lo, buf.ts[i]!)), (hi = Math.max(hi, buf.ts[i]!));
    return [lo, hi];
  }

  /** Drops the head samples of `ids` in `[start, end]`, re-encoding what remains. */
  removeRange(ids: Iterable<number>, start: number, end: number): void {
    for (const id of ids) {
      if (id >= this.capacity) continue;
      this.committed.drop(id);
      const a = this.arena;
      if (a.hdr[id] !== NO_CHUNK && a.firstTs[id]! <= end && a.lastTs[id]! >= start) {
        const runs: Run[] = [];
        pushDecoded(a.bytes(id), a.firstTs[id]!, a.count[id]!, -Infinity, Infinity, runs);
        a.hdr[id] = NO_CHUNK;
        this.gen[id] = (this.gen[id]! + 1) % NO_CHUNK;
        this.markDirty(id);
        const [ts, vs, n] = runs[0]!;
        for (let i = 0; i < n; i++) {
          const t = ts[i]!;
          if (t >= start && t <= end) continue;
          if (a.hdr[id] === NO_CHUNK) a.start(id, t, vs[i]!, this.hint[id]!);
          else if (!a.append(id, t, vs[i]!)) {
            this.cut(id);
            a.start(id, t, vs[i]!, this.hint[id]!);
          }
        }
      }
      const list = this.closed.get(id);
      if (list !== undefined) {
        const kept: ClosedChunk[] = [];
        for (const c of list) {
          if (c.minT > end || c.maxT < start) {
            kept.push(c);
            continue;
          }
          const runs: Run[] = [];
          pushDecoded(c.data, c.minT, c.count, -Infinity, Infinity, runs);
          const [ts, vs, n] = runs[0]!;
          const keepTs: number[] = [];
          const keepVs = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            if (ts[i]! >= start && ts[i]! <= end) continue;
            keepVs[keepTs.length] = vs[i]!;
            keepTs.push(ts[i]!);
          }
          for (const e of encodeSealedChunks(Float64Array.from(keepTs), keepVs, keepTs.length)) kept.push({ id, ...e });
        }
        if (kept.length > 0) this.closed.set(id, kept);
        else this.closed.delete(id);
      }
      const buf = this.ooo.get(id);
      if (buf !== undefined) {
        buf.removeRange(start, end);
        if (buf.length === 0) this.ooo.delete(id);
      }
    }
  }

  /** Raises the newest timestamp of `id` (data found on disk at open; also its {@link diskMaxT}). */
  raiseMaxT(id: number, t: number): void {
    this.ensure(id);
    if (t > this.maxT[id]!) this.maxT[id] = t;
    this.committed.foundOnDisk(id, t);
  }

  /** Whether `id` has an open chunk. */
  hasOpen(id: number): boolean {
    return id < this.capacity && this.arena.hdr[id] !== NO_CHUNK;
  }

  /**
   * Packs the open-chunk bytes gained since the last committed flush (all open chunks when
   * `full`) as head-log segments. The returned `commit` records them as persisted; call it
   * only once the transaction holding the segments has committed.
   */
  packLog(full: boolean, ids?: readonly number[]): { blobs: Uint8Array[]; bytes: number; ids: Uint32Array; commit: () => void } {
    const a = this.arena;
    let list: Uint32Array;
    if (ids !== undefined) list = Uint32Array.from(ids);
    else if (full) {
      const all: number[] = [];
      for (let id = 0; id < this.capacity; id++) if (a.hdr[id] !== NO_CHUNK || this.dirtyFlag[id] === 1) all.push(id);
      list = Uint32Array.from(all);
    } else list = this.dirtyIds.slice(0, this.dirtyCount).sort();
    if (ids === undefined) {
      for (let i = 0; i < this.dirtyCount; i++) this.dirtyFlag[this.dirtyIds[i]!] = 0;
      this.dirtyCount = 0;
    }
    const w = new LogWriter(this.logBlobBytes);
    const done = new Uint32Array(list.length * 2);
    let prev = 0;
    for (let k = 0; k < list.length; k++) {
      const id = list[k]!;
      const gen = this.gen[id]!;
      const open = a.hdr[id] !== NO_CHUNK;
      const bits = open ? a.bitPos[id]! : 0;
      const fromByte = !full && ids === undefined && this.logGen[id] === gen ? this.logBits[id]! >>> 3 : 0;
      w.varint(id - prev);
      prev = id;
      w.byte(gen);
      w.varint(fromByte);
      w.varint(bits);
      w.varint(open ? a.count[id]! : 0);
      if (fromByte === 0 && open) w.f64(a.firstTs[id]!);
      if (open) {
        const base = a.base(id);
        w.range(a.page(id), base + fromByte, base + ((bits + 7) >>> 3));
      }
      done[2 * k] = id;
      done[2 * k + 1] = (gen << 16) | bits;
      // Ids are delta-coded within a blob: a new blob starts from 0.
      if (w.maybeCut()) prev = 0;
    }
    const blobs = w.finish();
    let bytes = 0;
    for (const b of blobs) bytes += b.length;
    return {
      blobs,
      bytes,
      ids: list,
      commit: () => {
        for (let k = 0; k < list.length; k++) {
          const id = done[2 * k]!;
          this.logGen[id] = done[2 * k + 1]! >>> 16;
          this.logBits[id] = done[2 * k + 1]! & 0xffff;
        }
      },
    };
  }

  /** Marks series whose log segments did not commit as dirty again. */
  requeueLog(ids: Iterable<number>): void {
    for (const id of ids) {
      this.logGen[id] = NO_CHUNK;
      this.markDirty(id);
    }
  }

  /**
   * Re-creates open chunks from the head log (on open, into an empty head), then marks them
   * for a full rewrite.
   */
  restore(blobs: Iterable<Uint8Array>): number {
    if (this.capacity !== 0) throw new Error('the head log is restored into an empty head only');
    // Segments are assembled in the slots they will live in (no scratch arena: at a million
    // series that was 256 MB more to allocate, zero and collect during open), then each
    // chunk is decoded and appended again, which rebuilds the encoder state.
    const a = this.arena;
    let seen = new Uint32Array(1024);
    let seenCount = 0;
    for (const blob of blobs) {
      const r = new LogReader(blob);
      let id = 0;
      while (!r.done()) {
        id += r.varint();
        const gen = r.byte();
        const fromByte = r.varint();
        const bits = r.varint();
        const count = r.varint();
        a.ensure(id);
        if (a.hdr[id] === NO_CHUNK) {
          if (seenCount === seen.length) seen = grownIds(seen);
          seen[seenCount++] = id;
        }
        const page = a.page(id);
        const base = a.base(id);
        if (a.hdr[id] !== gen || fromByte === 0) {
          a.hdr[id] = gen;
          page.fill(0, base, base + ChunkArena.SLOT_BYTES);
        }
        if (fromByte === 0 && count > 0) a.firstTs[id] = r.f64();
        const len = count > 0 ? ((bits + 7) >>> 3) - fromByte : 0;
        page.set(r.bytes(len), base + fromByte);
        a.bitPos[id] = bits;
        a.count[id] = count;
      }
    }
    const ts = new Float64Array(MAX_CHUNK_SAMPLES);
    const vs = new Float64Array(MAX_CHUNK_SAMPLES);
    let restored = 0;
    for (let k = 0; k < seenCount; k++) {
      const id = seen[k]!;
      const gen = a.hdr[id]!;
      const n = a.count[id]!;
      // Emptied either way: a segment-only slot holds no encoder state to append to.
      a.hdr[id] = NO_CHUNK;
      if (n === 0) continue;
      decodeChunk(a.bytes(id), a.firstTs[id]!, n, ts, vs, 0);
      this.ensure(id);
      for (let i = 0; i < n; i++) this.append(id, ts[i]!, vs[i]!);
      this.gen[id] = (gen + 1) % NO_CHUNK;
      restored += n;
    }
    return restored;
  }

  /** Bytes held by open chunks (for sizing the head log). */
  openBytes(): number {
    let n = 0;
    const a = this.arena;
    for (let id = 0; id < this.capacity; id++) if (a.hdr[id] !== NO_CHUNK) n += (a.bitPos[id]! + 7) >>> 3;
    return n;
  }
}

function grownIds(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(2 * a.length);
  out.set(a);
  return out;
}

/** Where chunks are decoded before their in-range part is copied out (grown for chunks of another writer's size). */
/**
 * Samples at which a series' first full chunk in this head is cut: 30–119, spread by id (below
 * the 120–240 at which the bytes or the count usually cut a chunk).
 * Series that start together (a new fleet, every series after a restart) would otherwise fill
 * their chunks in the same scrape and cut them together: at a million series that is ~5 s of
 * packing and a million chunk rows in one flush, which held the store thread long enough to
 * break the 2 s freshness bound. Staggered once, their later chunks stay apart. (Chunks cut
 * earlier, by a new value header, do not count: those happen together too.)
 */
const FIRST_CHUNK_MIN_SAMPLES = 30;
function firstChunkSamples(id: number): number {
  return FIRST_CHUNK_MIN_SAMPLES + ((Math.imul(id, 0x9e3779b1) >>> 0) % 90);
}

let scratchT = new Float64Array(MAX_CHUNK_SAMPLES);
let scratchV = new Float64Array(MAX_CHUNK_SAMPLES);

/**
 * Appends the samples of a chunk in `[start, end]` to `runs`, in arrays of their own. The chunk
 * is decoded into a scratch buffer no further than `end` and only the in-range part is copied:
 * a refresh needs the newest few samples of an open chunk, not fresh arrays for all of it.
 */
function pushDecoded(data: Uint8Array, firstTs: number, count: number, start: number, end: number, runs: Run[]): void {
  if (count > scratchT.length) {
    scratchT = new Float64Array(count);
    scratchV = new Float64Array(count);
  }
  const hi = decodeChunk(data, firstTs, count, scratchT, scratchV, 0, end);
  let lo = 0;
  if (scratchT[0]! < start) {
    // Binary search: a refresh's window starts near the chunk's end.
    let top = hi;
    while (lo < top) {
      const mid = (lo + top) >>> 1;
      if (scratchT[mid]! < start) lo = mid + 1;
      else top = mid;
    }
  }
  if (hi <= lo) return;
  runs.push([scratchT.slice(lo, hi), scratchV.slice(lo, hi), hi - lo]);
}

/** Decoded samples of a chunk in `[start, end]` (a run, or undefined when none). */
export function decodeRange(data: Uint8Array, firstTs: number, count: number, start: number, end: number): Run | undefined {
  const runs: Run[] = [];
  pushDecoded(data, firstTs, count, start, end, runs);
  return runs[0];
}

/** Whether a chunk has a sample in `[start, end]`; decodes only when the range lies strictly inside it. */
export function chunkHas(data: Uint8Array, minT: number, maxT: number, count: number, start: number, end: number): boolean {
  if (minT > end || maxT < start) return false;
  if ((minT >= start && minT <= end) || (maxT >= start && maxT <= end)) return true;
  return decodeRange(data, minT, count, start, end) !== undefined;
}

/**
 * Merges runs into one sorted, deduplicated run (the port's duplicate rule). Runs that follow
 * each other without overlap, the usual case, are concatenated.
 */
export function mergeSampleRuns(runs: Run[]): Run {
  if (runs.length === 1) return runs[0]!;
  runs.sort((x, y) => x[0][0]! - y[0][0]!);
  let disjoint = true;
  let total = 0;
  for (let i = 0; i < runs.length; i++) {
    total += runs[i]![2];
    if (i > 0 && runs[i]![0][0]! <= runs[i - 1]![0][runs[i - 1]![2] - 1]!) disjoint = false;
  }
  const ts = new Float64Array(total);
  const vs = new Float64Array(total);
  if (disjoint) {
    let at = 0;
    for (const [t, v, n] of runs) {
      ts.set(t.subarray(0, n), at);
      vs.set(v.subarray(0, n), at);
      at += n;
    }
    return [ts, vs, total];
  }
  // k-way merge; k is small (a few chunks overlap at most).
  const pos = new Array<number>(runs.length).fill(0);
  let n = 0;
  for (;;) {
    let best = -1;
    let bestT = Infinity;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r]!;
      if (pos[r]! < run[2] && run[0][pos[r]!]! < bestT) {
        bestT = run[0][pos[r]!]!;
        best = r;
      }
    }
    if (best < 0) break;
    const v = runs[best]![1][pos[best]!]!;
    pos[best]!++;
    if (n > 0 && ts[n - 1] === bestT) {
      if (sampleWins(v, vs[n - 1]!)) vs[n - 1] = v;
      continue;
    }
    ts[n] = bestT;
    vs[n] = v;
    n++;
  }
  return [ts.subarray(0, n), vs.subarray(0, n), n];
}
