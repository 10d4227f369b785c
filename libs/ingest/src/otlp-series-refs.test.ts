import { describe, expect, it } from 'vitest';
import { SeriesDefinitions, prepareBatch } from '#pharos/ingest';
import { UNRESOLVED_LABELS, decodeMetricBatch } from '#pharos/metric-model';
import { OtlpDecoder, encodeExportRequest, type OtlpJsonRequest } from '#pharos/otlp';

// OTLP batches keep the same Labels object per series across requests (the OTLP decoder's
// series cache), so prepared with series definitions — as `MetricIngestor.ingest` does with
// `stableLabels` — their records name known series by ref alone (ADR 0010).

const T0 = 1_700_000_000_000;

function body(step: number): Buffer {
  const points = Array.from({ length: 50 }, (_, i) => ({
    attributes: [{ key: 'cpu', value: { stringValue: String(i) } }],
    timeUnixNano: `${BigInt(T0 + step * 15_000) * 1_000_000n}`,
    asDouble: step * 100 + i,
  }));
  const req: OtlpJsonRequest = {
    resourceMetrics: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'node' } }] }, scopeMetrics: [{ metrics: [{ name: 'cpu_seconds', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: points } }] }] },
    ],
  };
  return encodeExportRequest(req);
}

/** How many series of the prepared parts carry labels and how many only a ref. */
function carried(prepared: ReturnType<typeof prepareBatch>): { labels: number; refs: number } {
  let labels = 0;
  let refs = 0;
  for (const part of prepared.parts) {
    for (const l of decodeMetricBatch(part.bytes, { interner: null }).series) {
      if (l === UNRESOLVED_LABELS) refs++;
      else labels++;
    }
  }
  return { labels, refs };
}

describe('OTLP series on the stream', () => {
  it('are named by ref once their definition is durable', () => {
    const decoder = new OtlpDecoder();
    const defs = new SeriesDefinitions();
    const first = prepareBatch(decoder.decode(body(1), { tenant: 't', format: 'protobuf' }).batch, 4, defs);
    expect(carried(first)).toEqual({ labels: 50, refs: 0 });
    defs.confirm(first.definitionTicket);
    const second = prepareBatch(decoder.decode(body(2), { tenant: 't', format: 'protobuf' }).batch, 4, defs);
    expect(second.definitionTicket).toBe(0);
    expect(carried(second)).toEqual({ labels: 0, refs: 50 });
    expect([...second.seriesHashes]).toEqual([...first.seriesHashes]);
  });

  it('are defined again by a decoder without their cached labels (another process, or evicted)', () => {
    const defs = new SeriesDefinitions();
    const first = prepareBatch(new OtlpDecoder().decode(body(1), { tenant: 't', format: 'protobuf' }).batch, 4, defs);
    defs.confirm(first.definitionTicket);
    const second = prepareBatch(new OtlpDecoder().decode(body(2), { tenant: 't', format: 'protobuf' }).batch, 4, defs);
    expect(carried(second)).toEqual({ labels: 50, refs: 0 });
  });
});
