import { SERIES_REF_WORDS, seriesHash, writeSeriesRef, type LabelSetInterner, type Labels, type SeriesSlots } from '#pharos/metric-model';
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
  /** Per label cache whose slots describe a batch: what each slot's series is (see `describe`). */
  private readonly bySlotSpace = new WeakMap<LabelSetInterner, SlotTable>();
  /** Definitions carried by prepared batches not yet confirmed, by ticket. */
  private readonly pending = new Map<number, Defining>();
  private nextTicket = 1;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxPending = 4096,
  ) {}

  /**
   * Fills, per series of a batch, its hash, partition and ref, and marks in `omit` the series
   * whose labels may be left out. Returns the ticket to confirm once the batch is durable, or
   * 0 when it defines nothing.
   *
   * With `slots` (the decoder's label cache slots of the series), a series is looked up by
   * slot in typed arrays rather than by its `Labels` array in a `WeakMap`: the hashed lookup
   * and the entry object per series were a sixth of the remote-write decode worker's CPU. A
   * slot describes one tenant's series (the first to use it; the label cache is shared by
   * tenants); another tenant's series in the same slot, and series without a slot, take the
   * `WeakMap`.
   */
  describe(
    tenant: string,
    series: readonly Labels[],
    partitions: number,
    out: { hashes: Float64Array; partitionOf: Uint16Array; refs: Uint32Array; omit: Uint8Array },
    slots?: SeriesSlots,
  ): number {
    const now = this.now();
    const staleBefore = now - REDEFINE_AFTER_MS;
    let defining: Defining | undefined;
    const { hashes, partitionOf, refs, omit } = out;
    let table: SlotTable | undefined;
    let slotOf: Int32Array | undefined;
    if (slots !== undefined) {
      if (slots.slots.length !== series.length) throw new RangeError(`${slots.slots.length} series slots for ${series.length} series`);
      table = this.bySlotSpace.get(slots.interner);
      if (table === undefined) this.bySlotSpace.set(slots.interner, (table = new SlotTable()));
      table.reserve(slots.interner.slotCount);
      slotOf = slots.slots;
    }
    let known: WeakMap<Labels, SeriesEntry> | undefined;
    for (let i = 0; i < series.length; i++) {
      const labels = series[i]!;
      const r = SERIES_REF_WORDS * i;
      const slot = slotOf === undefined ? -1 : slotOf[i]!;
      if (slot >= 0 && table!.describes(slot, tenant, labels, partitions)) {
        const t = table!;
        const w = SERIES_REF_WORDS * slot;
        hashes[i] = t.hashes[slot]!;
        partitionOf[i] = t.partitionOf[slot]!;
        refs[r] = t.refs[w]!;
        refs[r + 1] = t.refs[w + 1]!;
        refs[r + 2] = t.refs[w + 2]!;
        refs[r + 3] = t.refs[w + 3]!;
        if (t.definedAt[slot]! > staleBefore) {
          omit[i] = 1;
          continue;
        }
        omit[i] = 0;
        defining ??= new Defining(t);
        defining.slots.push(slot);
        defining.slotLabels.push(labels);
        defining.slotIndices.push(i);
        continue;
      }
      known ??= this.tenantEntries(tenant);
      let e = known.get(labels);
      if (e === undefined || e.partitions !== partitions) {
        e = newEntry(tenant, labels, partitions);
        known.set(labels, e);
      }
      hashes[i] = e.hash;
      partitionOf[i] = e.partition;
      refs[r] = e.r0;
      refs[r + 1] = e.r1;
      refs[r + 2] = e.r2;
      refs[r + 3] = e.r3;
      if (e.definedAt > staleBefore) {
        omit[i] = 1;
        continue;
      }
      omit[i] = 0;
      defining ??= new Defining(table);
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
    const t = p.table;
    for (let k = 0; k < p.slots.length; k++) {
      if (refused !== undefined && refused[p.slotIndices[k]!] === 1) continue;
      // The slot may have been given to another series since: only its own series is defined.
      t!.confirm(p.slots[k]!, p.slotLabels[k]!, now);
    }
  }

  private tenantEntries(tenant: string): WeakMap<Labels, SeriesEntry> {
    let known = this.byTenant.get(tenant);
    if (known === undefined) this.byTenant.set(tenant, (known = new WeakMap()));
    return known;
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

/** The series definitions of one prepared batch, kept until its ticket is confirmed. */
class Defining {
  /** Series described by `WeakMap` entry, and their index in the batch. */
  readonly entries: SeriesEntry[] = [];
  readonly indices: number[] = [];
  /** Series described by slot of `table`: the slot, the labels it held, the batch index. */
  readonly slots: number[] = [];
  readonly slotLabels: Labels[] = [];
  readonly slotIndices: number[] = [];
  constructor(readonly table: SlotTable | undefined) {}
}

/**
 * What each slot of one label cache describes, in columns: the series' labels (to tell a
 * reused slot) and tenant, and the fields of {@link SeriesEntry}. Grows with the cache's
 * slot count, which its byte bound caps; a freed slot's labels stay referenced here until the
 * slot is reused.
 */
class SlotTable {
  labels: (Labels | undefined)[] = [];
  tenants: (string | undefined)[] = [];
  hashes = new Float64Array(0);
  partitionOf = new Uint16Array(0);
  partitions = new Uint32Array(0);
  refs = new Uint32Array(0);
  definedAt = new Float64Array(0);

  /** Makes room for slots below `count`. */
  reserve(count: number): void {
    const n = this.hashes.length;
    if (count <= n) return;
    const size = Math.max(count, 2 * n, 1024);
    this.hashes = grown(this.hashes, size);
    this.partitionOf = grown(this.partitionOf, size);
    this.partitions = grown(this.partitions, size);
    this.refs = grown(this.refs, SERIES_REF_WORDS * size);
    this.definedAt = grown(this.definedAt, size);
  }

  /**
   * True when `slot` describes this series of `tenant` for `partitions`, describing it first
   * if the slot is unused or was reused by the label cache; false when the slot describes
   * the same labels of another tenant.
   */
  describes(slot: number, tenant: string, labels: Labels, partitions: number): boolean {
    if (this.labels[slot] === labels) {
      if (this.tenants[slot] !== tenant) return false;
      if (this.partitions[slot] === partitions) return true;
    }
    writeSeriesRef(tenant, labels, this.refs, SERIES_REF_WORDS * slot);
    const hash = seriesHash(labels);
    this.labels[slot] = labels;
    this.tenants[slot] = tenant;
    this.hashes[slot] = hash;
    this.partitions[slot] = partitions;
    this.partitionOf[slot] = hash % partitions;
    this.definedAt[slot] = -Infinity;
    return true;
  }

  confirm(slot: number, labels: Labels, now: number): void {
    if (this.labels[slot] === labels && this.definedAt[slot]! < now) this.definedAt[slot] = now;
  }
}

function grown<T extends Float64Array | Uint16Array | Uint32Array>(a: T, length: number): T {
  const next = new (a.constructor as new (n: number) => T)(length);
  next.set(a);
  return next;
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
