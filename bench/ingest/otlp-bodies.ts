/**
 * OTLP metrics bodies for the bench, from the same node_exporter-like fleet as the
 * remote-write bodies, so both protocols carry the same series and values:
 *
 * - one `ResourceMetrics` per host, with `service.name` (the series' `job`) and
 *   `service.instance.id` (its `instance`) as resource attributes — the two Prometheus'
 *   OTLP receiver turns back into `job` and `instance`, so no `target_info` series is added;
 * - the host's other labels (`env`, `region`, `zone`, `cluster`, `team`) and the family's own
 *   (`cpu`, `mode`, `device`, …) as data-point attributes;
 * - counters as cumulative monotonic sums (start time: the start of the data), everything
 *   else as gauges; consecutive series of one name share one `Metric`.
 *
 * Stored, a series has the same labels and samples as its remote-write twin; only a counter
 * whose name lacks `_total` gains it, as Prometheus' OTLP translation does.
 */
import { encodeExportRequest, type OtlpJsonKeyValue, type OtlpJsonMetric, type OtlpJsonNumberPoint, type OtlpJsonResourceMetrics } from '#pharos/otlp';
import { WIRE_LEN, WIRE_VARINT, WireReader } from '#pharos/protowire';
import { SCRAPE_INTERVAL_MS, valueAt, type FleetSeries } from './series.js';

const RESOURCE_LABELS: Readonly<Record<string, string>> = { job: 'service.name', instance: 'service.instance.id' };
const SCOPE = { name: 'pharos-ingest-bench', version: '1' };

/** What of a series does not change from step to step, derived once per series. */
interface SeriesShape {
  readonly name: string;
  readonly resourceKey: string;
  readonly resource: readonly OtlpJsonKeyValue[];
  readonly attributes: readonly OtlpJsonKeyValue[];
}

/** Builds OTLP bodies for slices of a fleet; caches each series' attributes across steps. */
export class OtlpBodyBuilder {
  private readonly shapes: (SeriesShape | undefined)[];

  constructor(
    private readonly fleet: readonly FleetSeries[],
    /** Timestamp (ms) of scrape 0, before the per-host offset: the start time of the sums. */
    private readonly startMs: number,
  ) {
    this.shapes = new Array<SeriesShape | undefined>(fleet.length);
  }

  /**
   * Protobuf `ExportMetricsServiceRequest` (not compressed) with one data point for each
   * series in `[first, last)` at scrape number `scrape`.
   */
  encode(first: number, last: number, scrape: number): Buffer {
    const resources: OtlpJsonResourceMetrics[] = [];
    let metrics: OtlpJsonMetric[] = [];
    let points: OtlpJsonNumberPoint[] = [];
    let resourceKey: string | undefined;
    let metricName: string | undefined;
    for (let i = first; i < last; i++) {
      const s = this.fleet[i]!;
      const shape = this.shape(i);
      if (shape.resourceKey !== resourceKey) {
        resourceKey = shape.resourceKey;
        metricName = undefined;
        metrics = [];
        resources.push({ resource: { attributes: shape.resource }, scopeMetrics: [{ scope: SCOPE, metrics }] });
      }
      if (shape.name !== metricName) {
        metricName = shape.name;
        points = [];
        metrics.push(
          s.kind === 'counter'
            ? { name: shape.name, sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: points } }
            : { name: shape.name, gauge: { dataPoints: points } },
        );
      }
      const point: OtlpJsonNumberPoint = {
        attributes: shape.attributes,
        timeUnixNano: nanos(this.startMs + scrape * SCRAPE_INTERVAL_MS + s.offsetMs),
        asDouble: valueAt(s, i, scrape),
        ...(s.kind === 'counter' ? { startTimeUnixNano: nanos(this.startMs + s.offsetMs) } : {}),
      };
      points.push(point);
    }
    return encodeExportRequest({ resourceMetrics: resources });
  }

  private shape(i: number): SeriesShape {
    const cached = this.shapes[i];
    if (cached !== undefined) return cached;
    const labels = this.fleet[i]!.labels;
    let name = '';
    const resource: OtlpJsonKeyValue[] = [];
    const attributes: OtlpJsonKeyValue[] = [];
    for (let k = 0; k < labels.length; k += 2) {
      const key = labels[k]!;
      const value = { stringValue: labels[k + 1]! };
      if (key === '__name__') name = value.stringValue;
      else if (RESOURCE_LABELS[key] !== undefined) resource.push({ key: RESOURCE_LABELS[key], value });
      else attributes.push({ key, value });
    }
    if (name === '') throw new Error(`series ${i} of the fleet has no __name__`);
    const shape = { name, resourceKey: resource.map((kv) => kv.value!.stringValue).join('\u0000'), resource, attributes };
    this.shapes[i] = shape;
    return shape;
  }
}

/** Milliseconds since the epoch as OTLP/JSON's decimal nanoseconds. */
function nanos(ms: number): string {
  return `${ms}000000`;
}

/**
 * Data points the server rejected, from an `ExportMetricsServiceResponse`
 * (`partial_success.rejected_data_points`); 0 for an empty response.
 */
export function rejectedDataPoints(response: Uint8Array): number {
  const r = new WireReader();
  r.reset(response);
  let rejected = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const saved = r.enter(r.lengthEnd());
      while (r.pos < r.end) {
        const inner = r.tag();
        if (inner === ((1 << 3) | WIRE_VARINT)) rejected = r.varint64(true);
        else r.skip(inner & 7);
      }
      r.leave(saved);
    } else {
      r.skip(tag & 7);
    }
  }
  return rejected;
}
