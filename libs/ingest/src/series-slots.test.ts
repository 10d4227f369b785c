import { describe, expect, it } from 'vitest';
import { SERIES_REF_WORDS, UNRESOLVED_LABELS, decodeMetricBatch, seriesHash, seriesRef, seriesRefHex, type Labels } from '#pharos/metric-model';
import { RemoteWriteDecoder, encodeWriteRequestV1 } from '#pharos/remote-write';
import { prepareBatch } from './prepared-batch.js';
import { SeriesDefinitions } from './series-definitions.js';

const PARTITIONS = 5;

function body(from: number, to: number, ts: number): Buffer {
  const series = [];
  for (let i = from; i < to; i++) series.push({ labels: { __name__: `m${i % 7}`, instance: `host-${i}`, job: 'node' }, samples: [{ timestamp: ts, value: i }] });
  return encodeWriteRequestV1(series);
}

/** Hashes, partitions, refs and omissions of a prepared batch, as plain arrays. */
function described(p: ReturnType<typeof prepareBatch>): { hashes: number[]; partitions: number[] } {
  return { hashes: Array.from(p.seriesHashes), partitions: Array.from(p.partitionOfSeries) };
}

describe('SeriesDefinitions by label cache slot', () => {
  it('describes every series exactly as by its labels, through slot reuse, refusals and tenants sharing labels', () => {
    // A small label cache (~20 series a generation) so slots are dropped and reused often.
    const decoder = new RemoteWriteDecoder({ labelCacheBytes: 20 * 110 });
    let now = 1_000_000;
    const bySlot = new SeriesDefinitions(() => now);
    const byLabels = new SeriesDefinitions(() => now);
    let slotted = 0;
    const late: [number, number, Uint8Array][] = [];
    for (let round = 0; round < 60; round++) {
      now += 1000;
      const from = (round * 13) % 90;
      const tenant = round % 3 === 2 ? 'other' : 't';
      const result = decoder.decode(body(from, from + 25, now), { version: '1.0', tenant, compressed: false });
      expect(result.rejectedSamples).toBe(0);
      const slots = result.seriesSlots!;
      expect(slots.slots.length).toBe(result.batch.series.length);
      for (let i = 0; i < slots.slots.length; i++) {
        const s = slots.slots[i]!;
        if (s >= 0) {
          slotted++;
          expect(slots.interner.labelsAt(s)).toBe(result.batch.series[i]);
        }
      }
      const a = prepareBatch(result.batch, PARTITIONS, bySlot, slots);
      const b = prepareBatch(result.batch, PARTITIONS, byLabels);
      expect(described(a)).toEqual(described(b));
      expect(a.parts.map((p) => [p.partition, Buffer.from(p.bytes).toString('base64')])).toEqual(b.parts.map((p) => [p.partition, Buffer.from(p.bytes).toString('base64')]));
      for (let i = 0; i < result.batch.series.length; i++) {
        expect(a.seriesHashes[i]).toBe(seriesHash(result.batch.series[i]!));
        expect(a.partitionOfSeries[i]).toBe(seriesHash(result.batch.series[i]!) % PARTITIONS);
      }
      expect(a.definitionTicket === 0).toBe(b.definitionTicket === 0);
      // Two batches of three are confirmed six rounds late (slots are reused meanwhile), one
      // with a refused series; the rest are lost.
      if (round % 3 !== 1 && a.definitionTicket !== 0) {
        const refused = new Uint8Array(result.batch.series.length);
        if (round % 3 === 2) refused[round % result.batch.series.length] = 1;
        late.push([a.definitionTicket, b.definitionTicket, refused]);
      }
      if (late.length > 6) {
        const [ta, tb, refused] = late.shift()!;
        bySlot.confirm(ta, refused);
        byLabels.confirm(tb, refused);
      }
    }
    expect(slotted).toBeGreaterThan(500);
  });

  it("writes each tenant's own refs for series whose slot another tenant described first", () => {
    const decoder = new RemoteWriteDecoder();
    const defs = new SeriesDefinitions();
    const seen: Labels[][] = [];
    for (const [step, tenant] of ['a', 'b', 'a', 'b'].entries()) {
      const result = decoder.decode(body(0, 3, 1000 + step), { version: '1.0', tenant, compressed: false });
      seen.push(result.batch.series as Labels[]);
      const p = prepareBatch(result.batch, PARTITIONS, defs, result.seriesSlots);
      // Defined once per tenant: the first batch of each carries labels, the second refs only.
      expect(p.definitionTicket === 0).toBe(step >= 2);
      defs.confirm(p.definitionTicket);
      let checked = 0;
      for (const part of p.parts) {
        const d = decodeMetricBatch(part.bytes, { interner: null });
        d.series.forEach((labels, i) => {
          const ref = d.seriesRefs!.subarray(SERIES_REF_WORDS * i, SERIES_REF_WORDS * (i + 1));
          const expected = result.batch.series.find((l) => seriesRefHex(seriesRef(tenant, l), 0) === seriesRefHex(ref, 0));
          expect(expected).toBeDefined();
          if (labels !== UNRESOLVED_LABELS) expect(labels).toEqual(expected);
          checked++;
        });
      }
      expect(checked).toBe(3);
    }
    // The tenants share the interned label arrays, hence the slots.
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[1]![0]).toBe(seen[0]![0]);
  });

  it('refuses slots that do not match the batch', () => {
    const decoder = new RemoteWriteDecoder();
    const result = decoder.decode(body(0, 3, 1000), { version: '1.0', tenant: 't', compressed: false });
    const slots = { interner: result.seriesSlots!.interner, slots: new Int32Array(2) };
    expect(() => prepareBatch(result.batch, PARTITIONS, new SeriesDefinitions(), slots)).toThrow('2 series slots for 3 series');
  });
});

