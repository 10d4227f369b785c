import { SERIES_REF_WORDS, seriesHash, writeSeriesRef, type Labels } from '#pharos/metric-model';
import type { PreparedBatch } from './prepared-batch.js';

/**
 * What one preparing thread knows of each series it has seen: the hash the limits key on, its
 * stream partition, its ref, and whether its labels are durably on the stream so that later
 * records may name it by ref alone (docs/adr/0010-series-refs-on-the-stream.md).
 *
 * A series counts as defined only once the record that carried its labels was acknowledged by
 * a stream whose consumers resolve refs (the ingestor says so through {@link confirm}); until
 * then, and again after {@link REDEFINE_AFTER_MS}, its labels are sent. A record that was
 * never confirmed (refused, failed, or written to Kafka) changes nothing: the next one sends
 * the labels again. So a ref is only ever written after its definition, on the same partition.
 */
export class SeriesDefinitions {
  private readonly byTenant = new Map<string, WeakMap<Labels, SeriesEntry>>();
  /** Definitions carried by prepared batches not yet confirmed, by ticket. */
  private readonly pending = new Map<number, { entries: SeriesEntry[]; indices: number[] }>();
  private nextTicket = 1;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxPending = 4096,
  ) {}

  /**
   * Fills, per series of a batch, its hash, partition and ref, and marks in `omit` the series
   * whose labels may be left out. Returns the ticket to confirm once the batch is durable, or
   * 0 when it defines nothing.
   */
  describe(
    tenant: string,
    series: readonly Labels[],
    partitions: number,
    out: { hashes: Float64Array; partitionOf: Uint16Array; refs: Uint32Array; omit: Uint8Array },
  ): number {
    let known = this.byTenant.get(tenant);
    if (known === undefined) this.byTenant.set(tenant, (known = new WeakMap()));
    const now = this.now();
    const staleBefore = now - REDEFINE_AFTER_MS;
    let defining: { entries: SeriesEntry[]; indices: number[] } | undefined;
    const { hashes, partitionOf, refs, omit } = out;
    for (let i = 0; i < series.length; i++) {
      const labels = series[i]!;
      let e = known.get(labels);
      if (e === undefined || e.partitions !== partitions) {
        e = newEntry(tenant, labels, partitions);
        known.set(labels, e);
      }
      hashes[i] = e.hash;
      partitionOf[i] = e.partition;
      const r = SERIES_REF_WORDS * i;
      refs[r] = e.r0;
      refs[r + 1] = e.r1;
      refs[r + 2] = e.r2;
      refs[r + 3] = e.r3;
      if (e.definedAt > staleBefore) {
        omit[i] = 1;
        continue;
      }
      omit[i] = 0;
      defining ??= { entries: [], indices: [] };
      defining.entries.push(e);
      defining.indices.push(i);
    }
    if (defining === undefined) return 0;
    const ticket = this.nextTicket++;
    if (this.pending.size >= this.maxPending) {
      // Never confirmed (the caller dropped it): its series are simply defined again later.
      this.pending.delete(this.pending.keys().next().value!);
    }
    this.pending.set(ticket, defining);
    return ticket;
  }

  /**
   * The batch of `ticket` is durable on a stream whose consumers resolve refs: its series are
   * defined, except those marked in `refused` (by series index of the batch), which were not
   * written.
   */
  confirm(ticket: number, refused?: Uint8Array): void {
    const p = this.pending.get(ticket);
    if (p === undefined) return;
    this.pending.delete(ticket);
    const now = this.now();
    for (let k = 0; k < p.entries.length; k++) {
      if (refused !== undefined && refused[p.indices[k]!] === 1) continue;
      const e = p.entries[k]!;
      if (e.definedAt < now) e.definedAt = now;
    }
  }

  /**
   * Settles the ticket of a batch prepared on this thread and written elsewhere (another
   * thread's ingestor): confirms it when `receipt` says it is durable where refs resolve,
   * forgets it otherwise (not written, or written where refs do not resolve).
   */
  settle(ticket: number, receipt: DefinitionReceipt | undefined): void {
    if (ticket === 0) return;
    if (receipt?.defined === true) this.confirm(ticket, receipt.refused ?? undefined);
    else this.discard(ticket);
  }

  /** Forgets a ticket whose batch was not written. */
  discard(ticket: number): void {
    this.pending.delete(ticket);
  }

  get pendingTickets(): number {
    return this.pending.size;
  }
}

/**
 * What the thread that prepared a batch learns back once it was written: whether its series
 * definitions are now durable on a stream whose consumers resolve refs, and which series (by
 * index in the batch) the limits refused, so were not written. Plain data: it crosses threads.
 */
export interface DefinitionReceipt {
  readonly defined: boolean;
  readonly refused: Uint8Array | null;
}

/**
 * The batch to hand to {@link MetricIngestor.ingestPrepared} for one prepared on another
 * thread, and the receipt to send back to that thread once the ingest resolved.
 */
export function withReceipt(prepared: PreparedBatch): { readonly prepared: PreparedBatch; receipt(): DefinitionReceipt } {
  let receipt: DefinitionReceipt = { defined: false, refused: null };
  if (prepared.definitionTicket === 0) return { prepared, receipt: () => receipt };
  const onDurable = (refused: Uint8Array | undefined): void => {
    receipt = { defined: true, refused: refused ?? null };
  };
  return { prepared: { ...prepared, onDurable }, receipt: () => receipt };
}

/**
 * A defined series' labels are sent again after this long, so that a definition lost for a
 * reason outside the normal path (the stream's size or age cap dropping unconsumed records)
 * stops mattering after a bounded time; ten minutes of a 15 s scrape is one record in 40.
 */
export const REDEFINE_AFTER_MS = 10 * 60_000;

interface SeriesEntry {
  readonly partitions: number;
  readonly hash: number;
  readonly partition: number;
  readonly r0: number;
  readonly r1: number;
  readonly r2: number;
  readonly r3: number;
  /** When the labels were last confirmed durable; -Infinity when never. */
  definedAt: number;
}

const scratch = new Uint32Array(SERIES_REF_WORDS);

function newEntry(tenant: string, labels: Labels, partitions: number): SeriesEntry {
  writeSeriesRef(tenant, labels, scratch, 0);
  const hash = seriesHash(labels);
  return {
    partitions,
    hash,
    partition: hash % partitions,
    r0: scratch[0]!,
    r1: scratch[1]!,
    r2: scratch[2]!,
    r3: scratch[3]!,
    definedAt: -Infinity,
  };
}
