import { MetricBatchBuilder, sortLabelsInPlace, type MetricBatch } from '#pharos/metric-model';
import { parseLineProtocol, timestampToMs, type FieldValue, type LineError, type Precision } from './line-protocol.js';

export interface InfluxWriteOptions {
  readonly tenant: string;
  readonly precision: Precision;
  /** Time of points without a timestamp (ms). */
  readonly nowMs: number;
  /** Value of the `db` label (v1 `db`, v2 `bucket`), or undefined for none. */
  readonly db: string | undefined;
  readonly maxLabelsPerSeries: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
  readonly minTimestampMs: number;
  readonly maxTimestampMs: number;
}

export interface InfluxWriteResult {
  readonly batch: MetricBatch;
  /** Lines parsed into a point (some fields may still have been dropped). */
  readonly pointsAccepted: number;
  readonly lines: number;
  readonly lineErrors: readonly LineError[];
  /** Fields not written, by reason (`string_field`, `too_old`, `too_many_labels`, …). */
  readonly droppedFields: Readonly<Record<string, number>>;
  readonly samples: number;
}

/** Most line errors quoted back to the sender; the count covers them all. */
const MAX_REPORTED_ERRORS = 10;

/**
 * Maps a line-protocol body to samples the way Telegraf's Prometheus serializer (and its
 * `prometheus_client` output with `string_as_label = false`) names them: one series per numeric
 * field, named `<measurement>_<field>` (just `<field>` for the measurement `prometheus`),
 * tags as labels, names sanitised to Prometheus' character set; floats, integers and unsigned
 * integers as they are, booleans 1/0, string fields dropped (and counted). Like
 * VictoriaMetrics, the v1 `db` / v2 `bucket` becomes a `db` label unless a tag names it.
 */
export function lineProtocolToBatch(text: string, o: InfluxWriteOptions): InfluxWriteResult {
  const builder = new MetricBatchBuilder(o.tenant, 64, 64);
  const errors: LineError[] = [];
  let errorCount = 0;
  const dropped: Record<string, number> = {};
  const drop = (reason: string, n = 1): void => {
    dropped[reason] = (dropped[reason] ?? 0) + n;
  };
  let accepted = 0;
  const lines = parseLineProtocol(
    text,
    (p) => {
      accepted++;
      const ts = p.timestamp === undefined ? o.nowMs : timestampToMs(p.timestamp, o.precision);
      const numeric = p.fields.filter(([, v]) => v.type !== 'string');
      if (numeric.length < p.fields.length) drop('string_field', p.fields.length - numeric.length);
      if (numeric.length === 0) return;
      if (ts < o.minTimestampMs) return drop('too_old', numeric.length);
      if (ts > o.maxTimestampMs) return drop('too_far_in_future', numeric.length);
      const base: string[] = [];
      let hasDb = false;
      for (let i = 0; i < p.tags.length; i += 2) {
        const name = sanitizeLabelName(p.tags[i]!);
        // `__`-names are Prometheus' own (`__name__` above all): a tag may not set them.
        if (name.startsWith('__')) continue;
        if (name === 'db') hasDb = true;
        setLabel(base, name, p.tags[i + 1]!);
      }
      if (o.db !== undefined && o.db !== '' && !hasDb) setLabel(base, 'db', o.db);
      const prefix = p.measurement === 'prometheus' ? '' : p.measurement + '_';
      const seen = new Set<string>();
      for (let f = numeric.length - 1; f >= 0; f--) {
        // A field repeated in one line: the last one wins, as in InfluxDB.
        const [key, value] = numeric[f]!;
        if (seen.has(key)) continue;
        seen.add(key);
        const labels = ['__name__', sanitizeMetricName(prefix + key), ...base];
        sortLabelsInPlace(labels);
        const reject = limitBreach(labels, o);
        if (reject) {
          drop(reject);
          continue;
        }
        builder.addSeries(labels);
        builder.addSample(ts, numberOf(value));
      }
    },
    (e) => {
      errorCount++;
      if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
    },
  );
  if (errorCount > errors.length) errors.push({ line: 0, message: `and ${errorCount - errors.length} more rejected lines` });
  return { batch: builder.build(), pointsAccepted: accepted, lines, lineErrors: errors, droppedFields: dropped, samples: builder.sampleCount };
}

function numberOf(v: FieldValue): number {
  switch (v.type) {
    case 'boolean':
      return v.value ? 1 : 0;
    case 'string':
      return NaN;
    default:
      return v.value;
  }
}

function setLabel(labels: string[], name: string, value: string): void {
  for (let i = 0; i < labels.length; i += 2) {
    if (labels[i] === name) {
      labels[i + 1] = value;
      return;
    }
  }
  labels.push(name, value);
}

function limitBreach(labels: readonly string[], o: InfluxWriteOptions): string | undefined {
  if (labels.length / 2 > o.maxLabelsPerSeries) return 'too_many_labels';
  for (let i = 0; i < labels.length; i += 2) {
    if (Buffer.byteLength(labels[i]!) > o.maxLabelNameLength) return 'label_name_too_long';
    if (Buffer.byteLength(labels[i + 1]!) > o.maxLabelValueLength) return 'label_value_too_long';
  }
  return undefined;
}

/** Prometheus metric-name characters `[a-zA-Z0-9_:]`, others replaced by `_`; a leading digit gets a `_` before it. */
export function sanitizeMetricName(name: string): string {
  const out = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(out) ? '_' + out : out;
}

/** Prometheus label-name characters `[a-zA-Z0-9_]`, others replaced by `_`; a leading digit gets a `_` before it. */
export function sanitizeLabelName(name: string): string {
  const out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(out) ? '_' + out : out;
}
