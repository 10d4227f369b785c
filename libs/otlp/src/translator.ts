import {
  CUSTOM_BUCKETS_SCHEMA,
  type Labels,
  type MetricBatchBuilder,
  type MetricType,
  type NativeHistogram,
  RESET_HINT_UNKNOWN,
  STALE_NAN,
} from '#pharos/metric-model';
import { type Scratch, layoutBuckets, Scratch as ScratchArray } from './buckets.js';
import { formatFloatPlain } from './format.js';
import { LabelScratch, sortPairs } from './label-scratch.js';
import { type LabelNameRules, type OtlpMetricKind, OtlpNameError, labelName, metricFamilyName, prometheusUnit } from './naming.js';
import type { OtlpRejectionReason, ResolvedOtlpLimits } from './options.js';
import { exemplarLabels } from './exemplars.js';
import type { PointScratch } from './point.js';
import { SeriesKeys, SeriesTag } from './series-keys.js';
import type { KeyHash } from './series-cache.js';
import {
  BUCKET_LABEL,
  DEFAULT_ZERO_THRESHOLD,
  FLAG_NO_RECORDED_VALUE,
  IDENTIFYING_RESOURCE_ATTRIBUTES,
  INSTANCE_LABEL,
  JOB_LABEL,
  MAX_EXPONENTIAL_SCALE,
  METRIC_NAME,
  MIN_EXPONENTIAL_SCALE,
  PLUS_INF,
  QUANTILE_LABEL,
  SCOPE_ATTRIBUTE_PREFIX,
  SCOPE_NAME_LABEL,
  SCOPE_SCHEMA_URL_LABEL,
  SCOPE_VERSION_LABEL,
  SERVICE_INSTANCE_ID,
  SERVICE_NAME,
  SERVICE_NAMESPACE,
  SUFFIX_BUCKET,
  SUFFIX_COUNT,
  SUFFIX_SUM,
  TARGET_INFO,
  TARGET_INFO_HELP,
  TEMPORALITY_CUMULATIVE,
  TEMPORALITY_DELTA,
} from './semconv.js';
import type { OtlpTranslationSettings } from './settings.js';

/** How many human-readable problems a result carries: enough to debug, bounded for logs. */
export const MAX_MESSAGES = 5;
const LABEL_NAME_CACHE_SIZE = 4096;
/** Most `target_info` samples one resource of one request writes (~17 days at the default 2.5 min). */
const MAX_TARGET_INFO_SAMPLES = 10_000;

/**
 * Where translated samples go: the batch for cumulative and gauge data, and a second batch
 * for samples of delta-temporality metrics, which the collector turns into cumulative ones
 * (it holds the per-series state; see `DeltaToCumulative`). `*Starts` hold each delta
 * sample's start time, in the order the samples were added.
 */
export interface TranslationTarget {
  readonly batch: MetricBatchBuilder;
  readonly delta: MetricBatchBuilder;
  readonly deltaFloatStarts: Scratch<Float64Array>;
  readonly deltaHistogramStarts: Scratch<Float64Array>;
}

/**
 * Turns OTLP resources, scopes, metrics and data points (fed by the protobuf or JSON walker)
 * into Prometheus series, following Prometheus 3's OTLP receiver
 * (`storage/remote/otlptranslator/prometheusremotewrite`): attributes become labels
 * (sanitised, colliding names joined with `;`), `service.*` resource attributes become
 * `job`/`instance`, the other resource attributes go to `target_info`, histograms become
 * `_bucket`/`_sum`/`_count` series (or native histograms), summaries `quantile` series, and
 * `NO_RECORDED_VALUE` points staleness markers.
 *
 * Unlike Prometheus, which fails the whole request on the first bad metric, one bad data
 * point is rejected alone and counted, as OTLP's partial success expects.
 */
export class OtlpTranslator {
  private target!: TranslationTarget;
  private minTs = -Infinity;
  private maxTs = Infinity;
  rejected: Record<string, number> = {};
  rejectedPoints = 0;
  messages: string[] = [];
  warnings: string[] = [];

  private readonly nameRules: LabelNameRules;
  private readonly labelNames = new Map<string, string>();
  private readonly familyNames = new Map<string, string>();
  private readonly metadataSeen = new Set<string>();
  private readonly targetInfoSeen = new Set<string>();

  // Resource context.
  private resourceAttrs: readonly string[] = [];
  private resourceError: string | undefined;
  private resourceReason: OtlpRejectionReason = 'invalid_utf8';
  private job = '';
  private instance = '';
  private readonly promoted = new LabelScratch();
  private earliestMs = Infinity;
  private latestMs = -Infinity;
  // Scope context.
  private scopeError: string | undefined;
  private scopeReason: OtlpRejectionReason = 'invalid_utf8';
  private hasScopeLabels = false;
  private readonly scopeLabels = new LabelScratch();
  // Metric context.
  private family = '';
  private kind: OtlpMetricKind = 'gauge';
  private metricError: string | undefined;
  private metricReason: OtlpRejectionReason = 'invalid_metric_name';
  private isDelta = false;
  // The labels of the point being translated, without `__name__`.
  private readonly base = new LabelScratch();
  // Series of the point being translated. Once a series has been translated its labels are
  // cached by what determines them (SeriesKeys), so the same series in later requests gets the
  // same Labels object — which the ingestor needs to name it by ref (ADR 0010) — and skips
  // attribute decoding, translation and sorting. `this.base` is filled only on a miss.
  private readonly keys: SeriesKeys;
  private point!: PointScratch;
  /** The labels acceptPoint found for `probeTag`, if any. */
  private probe: Labels | undefined;
  private probeTag = SeriesTag.Family;
  /** `this.base` holds the current point's labels. */
  private baseReady = false;
  /** The current point's translation warned (colliding names): its series are not cached, so each request warns again. */
  private baseWarned = false;
  private warnCount = 0;
  private readonly sorted: string[] = [];
  // Exponential-histogram layout scratch.
  private readonly posSpans = new ScratchArray(new Int32Array(16));
  private readonly negSpans = new ScratchArray(new Int32Array(16));
  private readonly posOut = new ScratchArray(new Float64Array(64));
  private readonly negOut = new ScratchArray(new Float64Array(64));
  private readonly customCounts = new ScratchArray(new Float64Array(32));

  constructor(
    private readonly settings: OtlpTranslationSettings,
    private readonly limits: ResolvedOtlpLimits,
    cache: { readonly maxBytes: number; readonly hash: KeyHash },
  ) {
    this.keys = new SeriesKeys(cache.maxBytes, cache.hash);
    this.nameRules = {
      escape: settings.escapeNames,
      underscoreSanitization: settings.underscoreSanitization,
      preserveMultipleUnderscores: settings.preserveMultipleUnderscores,
    };
  }

  /** Accounted bytes of the series caches, all tenants. */
  get cachedBytes(): number {
    return this.keys.cachedBytes;
  }

  /** Series whose labels are cached for `tenant`. */
  cachedSeries(tenant: string): number {
    return this.keys.cachedSeries(tenant);
  }

  /** Starts a request. Samples outside `[minTs, maxTs]` are rejected as too old / too new. */
  beginRequest(target: TranslationTarget, tenant: string, minTs: number, maxTs: number): void {
    this.keys.beginRequest(tenant);
    this.target = target;
    this.minTs = minTs;
    this.maxTs = maxTs;
    this.rejected = {};
    this.rejectedPoints = 0;
    this.messages = [];
    this.warnings = [];
    this.metadataSeen.clear();
    this.targetInfoSeen.clear();
  }

  /** Starts a `ResourceMetrics`; `attrs` (flat key/value strings) must stay untouched until {@link endResource}. */
  beginResource(attrs: readonly string[], problem: string | undefined): void {
    this.resourceAttrs = attrs;
    this.keys.beginResource(attrs);
    this.resourceError = problem;
    this.resourceReason = 'invalid_utf8';
    this.earliestMs = Infinity;
    this.latestMs = -Infinity;
    this.job = '';
    this.instance = '';
    this.promoted.clear();
    let name: string | undefined;
    let namespace: string | undefined;
    for (let i = 0; i < attrs.length; i += 2) {
      const key = attrs[i]!;
      if (key === SERVICE_NAME) name ??= attrs[i + 1]!;
      else if (key === SERVICE_NAMESPACE) namespace ??= attrs[i + 1]!;
      else if (key === SERVICE_INSTANCE_ID && this.instance === '') this.instance = attrs[i + 1]!;
    }
    if (name !== undefined) this.job = namespace !== undefined ? `${namespace}/${name}` : name;
    const s = this.settings;
    if (problem === undefined && s.promotes) {
      try {
        for (let i = 0; i < attrs.length; i += 2) {
          const key = attrs[i]!;
          if (s.promotedAttributes.has(key) !== s.promoteAll) this.promoted.set(this.labelName(key), attrs[i + 1]!);
        }
      } catch (err) {
        if (!(err instanceof OtlpNameError)) throw err;
        this.resourceError = `resource attribute: ${err.message}`;
        this.resourceReason = 'invalid_label_name';
      }
    }
  }

  /** Starts a `ScopeMetrics`. */
  beginScope(name: string, version: string, schemaUrl: string, attrs: readonly string[], problem: string | undefined): void {
    this.scopeError = problem;
    this.keys.beginScope(name, version, schemaUrl, attrs);
    this.scopeReason = 'invalid_utf8';
    this.hasScopeLabels = false;
    this.scopeLabels.clear();
    if (problem !== undefined || !this.settings.promoteScopeMetadata || name === '') return;
    try {
      for (let i = 0; i < attrs.length; i += 2) this.scopeLabels.set(this.labelName(SCOPE_ATTRIBUTE_PREFIX + attrs[i]!), attrs[i + 1]!);
    } catch (err) {
      if (!(err instanceof OtlpNameError)) throw err;
      this.scopeError = `scope attribute: ${err.message}`;
      this.scopeReason = 'invalid_label_name';
      return;
    }
    this.scopeLabels.set(SCOPE_NAME_LABEL, name);
    this.scopeLabels.set(SCOPE_VERSION_LABEL, version);
    this.scopeLabels.set(SCOPE_SCHEMA_URL_LABEL, schemaUrl);
    this.hasScopeLabels = true;
  }

  /**
   * Starts a `Metric`. `temporality` is meaningful for sums and histograms only. Its points
   * follow; when the metric itself is unusable each of them is rejected and counted.
   */
  beginMetric(name: string, unit: string, description: string, kind: OtlpMetricKind, temporality: number, problem: string | undefined): void {
    this.kind = kind;
    this.keys.skipMetric();
    this.metricError = this.resourceError ?? this.scopeError ?? problem;
    this.metricReason = this.resourceError !== undefined ? this.resourceReason : this.scopeError !== undefined ? this.scopeReason : 'invalid_utf8';
    this.family = '';
    const temporal = kind === 'sum' || kind === 'monotonic_sum' || kind === 'histogram' || kind === 'exponential_histogram';
    this.isDelta = temporal && temporality === TEMPORALITY_DELTA;
    if (this.metricError !== undefined) return;
    if (temporal && temporality !== TEMPORALITY_CUMULATIVE && temporality !== TEMPORALITY_DELTA) {
      this.metricError = `invalid temporality and type combination for metric ${JSON.stringify(name)}`;
      this.metricReason = 'invalid_temporality';
      return;
    }
    const key = `${kind}\u0000${unit}\u0000${name}`;
    let family = this.familyNames.get(key);
    if (family === undefined) {
      try {
        family = metricFamilyName(name, unit, kind, this.settings.escapeNames, this.settings.addSuffixes);
      } catch (err) {
        if (!(err instanceof OtlpNameError)) throw err;
        this.metricError = err.message;
        this.metricReason = 'invalid_metric_name';
        return;
      }
      if (this.familyNames.size >= LABEL_NAME_CACHE_SIZE) this.familyNames.clear();
      this.familyNames.set(key, family);
    }
    if (family === '') {
      this.metricError = `metric ${JSON.stringify(name)} has no name`;
      this.metricReason = 'invalid_metric_name';
      return;
    }
    this.family = family;
    this.keys.beginMetric(kind, name, unit);
    if (!this.metadataSeen.has(family)) {
      this.metadataSeen.add(family);
      this.target.batch.addMetadata({ metricFamilyName: family, type: prometheusType(kind), help: description, unit: prometheusUnit(unit) });
    }
  }

  /** A metric with no data field, or with no points: Prometheus drops it with a warning. */
  emptyMetric(name: string, hasData: boolean): void {
    this.warn(hasData ? `empty data points. ${name} is dropped` : `metric ${JSON.stringify(name)} has no data (unsupported metric type)`);
  }

  /** A gauge or sum point. */
  numberPoint(p: PointScratch): void {
    if (!this.acceptPoint(p, SeriesTag.Family)) return;
    const labels = this.series(SeriesTag.Family, 0);
    const value = p.flags & FLAG_NO_RECORDED_VALUE ? STALE_NAN : p.value;
    const index = this.addFloat(labels, p, value);
    // Gauges carry no exemplars in Prometheus' translation.
    if (this.kind !== 'gauge' && p.exemplarCount > 0) this.addExemplars(index, p, 0, p.exemplarCount, labels);
  }

  /** An explicit-bucket histogram point: classic `_bucket`/`_sum`/`_count` series, or NHCB. */
  histogramPoint(p: PointScratch): void {
    if (this.settings.convertHistogramsToNhcb) {
      this.customBucketsPoint(p);
      return;
    }
    if (!this.acceptPoint(p, SeriesTag.Count, 2)) return;
    const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
    if (p.hasSum) this.addFloat(this.series(SeriesTag.Sum, 0), p, stale ? STALE_NAN : p.sum);
    this.addFloat(this.series(SeriesTag.Count, 0), p, stale ? STALE_NAN : p.count);
    const n = Math.min(p.bounds.length, p.bucketCounts.length);
    let cumulative = 0;
    let nextExemplar = 0;
    for (let i = 0; i < n; i++) {
      const bound = p.bounds.data[i]!;
      cumulative += p.bucketCounts.data[i]!;
      // le="+Inf" comes from the count below; writing this bound too would duplicate it.
      if (bound === Infinity) {
        this.warn('histogram data point has an explicit +Inf bound, le="+Inf" is taken from count');
        continue;
      }
      // Exemplars go to the first bucket whose bound is at least their value, in the order
      // they were sent (Prometheus assumes them sorted by value, as SDKs send them).
      let last = nextExemplar;
      while (last < p.exemplarCount && !(p.exemplars[last]!.value > bound)) last++;
      const labels = this.series(SeriesTag.Bucket, bound);
      const index = this.addFloat(labels, p, stale ? STALE_NAN : cumulative);
      if (last > nextExemplar) this.addExemplars(index, p, nextExemplar, last, labels);
      nextExemplar = last;
    }
    const infLabels = this.series(SeriesTag.InfBucket, 0);
    const infIndex = this.addFloat(infLabels, p, stale ? STALE_NAN : p.count);
    if (nextExemplar < p.exemplarCount) this.addExemplars(infIndex, p, nextExemplar, p.exemplarCount, infLabels);
  }

  /** An exponential histogram point → an integer native histogram. */
  exponentialHistogramPoint(p: PointScratch): void {
    if (!this.acceptPoint(p, SeriesTag.Family)) return;
    let scale = p.scale;
    if (scale < MIN_EXPONENTIAL_SCALE) {
      this.rejectPoint('invalid_histogram', `cannot convert exponential to native histogram. Scale must be >= ${MIN_EXPONENTIAL_SCALE}, was ${scale}`);
      return;
    }
    let scaleDown = 0;
    if (scale > MAX_EXPONENTIAL_SCALE) {
      scaleDown = scale - MAX_EXPONENTIAL_SCALE;
      scale = MAX_EXPONENTIAL_SCALE;
    }
    layoutBuckets(p.positiveCounts.data, p.positiveCounts.length, p.positiveOffset, scaleDown, true, this.posSpans, this.posOut);
    layoutBuckets(p.negativeCounts.data, p.negativeCounts.length, p.negativeOffset, scaleDown, true, this.negSpans, this.negOut);
    const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
    if (!stale && p.count === 0 && p.hasSum && p.sum !== 0) {
      this.warn(`exponential histogram data point has zero count, but non-zero sum: ${p.sum}`);
    }
    const h: NativeHistogram = {
      isInteger: true,
      schema: scale,
      // OTLP's zero_threshold is not used by Prometheus either (see its TODO); the zero
      // bucket keeps its count.
      zeroThreshold: DEFAULT_ZERO_THRESHOLD,
      zeroCount: p.zeroCount,
      count: stale ? STALE_NAN : p.count,
      sum: stale ? STALE_NAN : p.hasSum ? p.sum : 0,
      positiveSpans: this.posSpans.copy(),
      positiveCounts: this.posOut.copy(),
      negativeSpans: this.negSpans.copy(),
      negativeCounts: this.negOut.copy(),
      resetHint: RESET_HINT_UNKNOWN,
      customValues: new Float64Array(0),
    };
    this.addHistogramSample(p, h);
  }

  /** A summary point: `_sum`, `_count` and one series per quantile. */
  summaryPoint(p: PointScratch): void {
    if (!this.acceptPoint(p, SeriesTag.Count, 2)) return;
    const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
    this.addFloat(this.series(SeriesTag.Sum, 0), p, stale ? STALE_NAN : p.sum);
    this.addFloat(this.series(SeriesTag.Count, 0), p, stale ? STALE_NAN : p.count);
    const q = p.quantiles;
    for (let i = 0; i < q.length; i += 2) {
      this.addFloat(this.series(SeriesTag.Quantile, q.data[i]!), p, stale ? STALE_NAN : q.data[i + 1]!);
    }
  }

  /** Ends a `ResourceMetrics`: writes its `target_info` series. */
  endResource(): void {
    if (this.earliestMs === Infinity) return;
    const attrs = this.resourceAttrs;
    let nonIdentifying = attrs.length / 2;
    for (const id of IDENTIFYING_RESOURCE_ATTRIBUTES) {
      for (let i = 0; i < attrs.length; i += 2) {
        if (attrs[i] === id) {
          nonIdentifying--;
          break;
        }
      }
    }
    // Only job and instance: target_info would add nothing.
    if (nonIdentifying <= 0 || this.resourceError !== undefined) return;
    const labels = this.base;
    labels.clear();
    const skipIdentifying = !this.settings.keepIdentifyingResourceAttributes;
    const problem = this.attributesInto(labels, attrs, skipIdentifying);
    if (problem !== undefined) {
      this.note(`target_info of resource ${this.job || this.instance}: ${problem}`);
      return;
    }
    if (this.job !== '') labels.set(JOB_LABEL, this.job);
    if (this.instance !== '') labels.set(INSTANCE_LABEL, this.instance);
    if (labels.get(JOB_LABEL) === '' && labels.get(INSTANCE_LABEL) === '') return;
    const series = labels.build(METRIC_NAME, TARGET_INFO);
    if (this.limitProblem(series) !== undefined) return;
    if (!this.metadataSeen.has(TARGET_INFO)) {
      this.metadataSeen.add(TARGET_INFO);
      this.target.batch.addMetadata({ metricFamilyName: TARGET_INFO, type: 'gauge', help: TARGET_INFO_HELP, unit: '' });
    }
    // A sample every half lookback delta from the earliest to the latest point, so an
    // instant query finds target_info wherever it finds the resource's metrics.
    const key = series.join('\u0000');
    const step = this.settings.targetInfoIntervalMs;
    const builder = this.target.batch;
    let index = -1;
    const emit = (ts: number): void => {
      if (ts < this.minTs || ts > this.maxTs) return;
      const seen = `${key}\u0001${ts}`;
      if (this.targetInfoSeen.has(seen)) return;
      this.targetInfoSeen.add(seen);
      if (index < 0) index = builder.addSeries(series);
      builder.addSample(ts, 1);
    };
    // Bounded: one request with points years apart must not write millions of samples.
    // Points outside the accepted window were refused, so the loop starts inside it.
    const first = Math.max(this.earliestMs, this.latestMs - MAX_TARGET_INFO_SAMPLES * step, Math.ceil((this.minTs - this.earliestMs) / step) * step + this.earliestMs);
    for (let ts = first; ts < this.latestMs; ts += step) emit(ts);
    emit(this.latestMs);
  }

  // --- internals -------------------------------------------------------------------------

  /**
   * Common checks of a point; false when rejected. `probeTag` names a series every accepted
   * point of its kind writes, looked up first: when it is cached, so are (almost always) the
   * others, and the point's attributes need no decoding. On a miss the point's base labels
   * (without `__name__`) are translated into `this.base` and checked against the limits;
   * `extraLabels` is how many labels the point's series add besides `__name__`.
   */
  private acceptPoint(p: PointScratch, probeTag: SeriesTag, extraLabels = 0): boolean {
    if (p.timeMs < this.earliestMs) this.earliestMs = p.timeMs;
    if (p.timeMs > this.latestMs) this.latestMs = p.timeMs;
    this.point = p;
    this.probe = undefined;
    this.probeTag = probeTag;
    this.baseReady = false;
    if (this.metricError !== undefined) {
      // Decoded all the same: malformed attribute bytes fail the request, whatever the point.
      p.decodeAttributes();
      this.rejectPoint(this.metricReason, this.metricError);
      return false;
    }
    // Attributes decoded while the point was read (JSON, or split fields) may have a problem
    // already; undecoded ones were valid when their series was cached, or are decoded below.
    if (p.problem === undefined && this.keys.beginPoint(p)) this.probe = this.keys.get(probeTag, 0);
    if (this.probe === undefined) {
      p.decodeAttributes();
      if (p.problem !== undefined) {
        this.rejectPoint('invalid_utf8', `metric ${JSON.stringify(this.family)}: ${p.problem}`);
        return false;
      }
    }
    if (p.timeMs < this.minTs) {
      this.rejectPoint('too_old', `metric ${JSON.stringify(this.family)}: sample at ${p.timeMs} is older than ${this.minTs}`);
      return false;
    }
    if (p.timeMs > this.maxTs) {
      this.rejectPoint('too_far_in_future', `metric ${JSON.stringify(this.family)}: sample at ${p.timeMs} is newer than ${this.maxTs}`);
      return false;
    }
    // Cached series passed the limits below when they were translated (same limits, same labels).
    if (this.probe !== undefined) return true;
    const problem = this.translateBase(p);
    if (problem !== undefined) {
      this.rejectPoint('invalid_label_name', `metric ${JSON.stringify(this.family)}: ${problem}`);
      return false;
    }
    return this.checkLimits(this.base, extraLabels);
  }

  /** The point's labels without `__name__` into `this.base`; returns a problem, or undefined. */
  private translateBase(p: PointScratch): string | undefined {
    const base = this.base;
    base.clear();
    const warnings = this.warnCount;
    const problem = this.attributesInto(base, p.attrs, false);
    if (problem !== undefined) return problem;
    if (this.settings.promotes) {
      const pr = this.promoted;
      for (let i = 0; i < pr.size; i++) if (base.get(pr.names[i]!) === '') base.set(pr.names[i]!, pr.values[i]!);
    }
    if (this.job !== '') base.set(JOB_LABEL, this.job);
    if (this.instance !== '') base.set(INSTANCE_LABEL, this.instance);
    if (this.hasScopeLabels) base.setAll(this.scopeLabels);
    this.baseReady = true;
    this.baseWarned = this.warnCount !== warnings;
    return undefined;
  }

  /**
   * The labels of the accepted point's series `tag` (`number`: the bucket bound or quantile),
   * from the cache, or built from the point's base labels and cached.
   */
  private series(tag: SeriesTag, number: number): Labels {
    if (tag === this.probeTag && this.probe !== undefined) return this.probe;
    const cached = this.keys.get(tag, number);
    if (cached !== undefined) return cached;
    if (!this.baseReady) {
      // The probe series was cached, this one not (a new bucket bound, or evicted): translate
      // the point now. Its translation succeeded when the probe series was cached, and it
      // depends on nothing but the key, so it cannot fail now.
      this.point.decodeAttributes();
      const problem = this.translateBase(this.point);
      if (problem !== undefined) throw new Error(`OTLP series cache: a cached point no longer translates (${problem})`);
    }
    const family = this.family;
    const base = this.base;
    let labels: Labels;
    switch (tag) {
      case SeriesTag.Family:
        labels = base.build(METRIC_NAME, family);
        break;
      case SeriesTag.Sum:
        labels = base.build(METRIC_NAME, family + SUFFIX_SUM);
        break;
      case SeriesTag.Count:
        labels = base.build(METRIC_NAME, family + SUFFIX_COUNT);
        break;
      case SeriesTag.Bucket:
        labels = base.build(METRIC_NAME, family + SUFFIX_BUCKET, BUCKET_LABEL, formatFloatPlain(number));
        break;
      case SeriesTag.InfBucket:
        labels = base.build(METRIC_NAME, family + SUFFIX_BUCKET, BUCKET_LABEL, PLUS_INF);
        break;
      case SeriesTag.Quantile:
        labels = base.build(METRIC_NAME, family, QUANTILE_LABEL, formatFloatPlain(number));
        break;
    }
    if (!this.baseWarned) this.keys.set(tag, number, labels);
    return labels;
  }

  /**
   * Attribute key/values into labels: sorted by key, names translated, values of keys that
   * translate to the same name joined with `;` in key order (legacy names only; UTF-8 names
   * cannot collide). Returns a problem, or undefined.
   */
  private attributesInto(out: LabelScratch, attrs: readonly string[], skipIdentifying: boolean): string | undefined {
    const sorted = this.sorted;
    sorted.length = 0;
    for (let i = 0; i < attrs.length; i += 2) {
      const key = attrs[i]!;
      if (key === METRIC_NAME) continue;
      if (skipIdentifying && (key === SERVICE_NAME || key === SERVICE_NAMESPACE || key === SERVICE_INSTANCE_ID)) continue;
      sorted.push(key, attrs[i + 1]!);
    }
    if (sorted.length > 2) sortPairs(sorted);
    for (let i = 0; i < sorted.length; i += 2) {
      const key = sorted[i]!;
      const value = sorted[i + 1]!;
      let name: string;
      try {
        name = this.labelName(key);
      } catch (err) {
        if (!(err instanceof OtlpNameError)) throw err;
        return err.message;
      }
      if (!this.settings.escapeNames) {
        out.set(name, value);
        continue;
      }
      const existing = out.get(name);
      if (existing !== '') {
        this.warn(`OTLP attributes collide as label ${JSON.stringify(name)} after name sanitization, values are concatenated with ';'`);
        out.set(name, `${existing};${value}`);
      } else {
        out.set(name, value);
      }
    }
    return undefined;
  }

  private labelName(key: string): string {
    let name = this.labelNames.get(key);
    if (name === undefined) {
      name = labelName(key, this.nameRules);
      if (this.labelNames.size >= LABEL_NAME_CACHE_SIZE) this.labelNames.clear();
      this.labelNames.set(key, name);
    }
    return name;
  }

  /** Labels per series and name/value sizes, for the base labels plus `__name__` and extras. */
  private checkLimits(base: LabelScratch, extraLabels: number): boolean {
    const lim = this.limits;
    const count = base.size + 1 + (extraLabels > 0 ? 1 : 0);
    if (count > lim.maxLabelsPerSeries) {
      this.rejectPoint('too_many_labels', `metric ${JSON.stringify(this.family)}: ${count} labels, limit ${lim.maxLabelsPerSeries}`);
      return false;
    }
    for (let i = 0; i < base.size; i++) {
      const name = base.names[i]!;
      const value = base.values[i]!;
      if (utf8Length(name, lim.maxLabelNameLength) > lim.maxLabelNameLength) {
        this.rejectPoint('label_name_too_long', `metric ${JSON.stringify(this.family)}: label name ${JSON.stringify(name.slice(0, 64))}… exceeds ${lim.maxLabelNameLength} bytes`);
        return false;
      }
      if (utf8Length(value, lim.maxLabelValueLength) > lim.maxLabelValueLength) {
        this.rejectPoint('label_value_too_long', `metric ${JSON.stringify(this.family)}: value of label ${JSON.stringify(name)} exceeds ${lim.maxLabelValueLength} bytes`);
        return false;
      }
    }
    if (utf8Length(this.family, lim.maxLabelValueLength) + 8 > lim.maxLabelValueLength) {
      this.rejectPoint('label_value_too_long', `metric name ${JSON.stringify(this.family.slice(0, 64))}… exceeds ${lim.maxLabelValueLength} bytes`);
      return false;
    }
    return true;
  }

  /** Limits of a finished label set (target_info, whose labels skip the point checks). */
  private limitProblem(labels: Labels): string | undefined {
    const lim = this.limits;
    if (labels.length / 2 > lim.maxLabelsPerSeries) return 'too many labels';
    for (let i = 0; i < labels.length; i += 2) {
      if (utf8Length(labels[i]!, lim.maxLabelNameLength) > lim.maxLabelNameLength) return 'label name too long';
      if (utf8Length(labels[i + 1]!, lim.maxLabelValueLength) > lim.maxLabelValueLength) return 'label value too long';
    }
    return undefined;
  }

  /** Adds one float sample as a series of its own; returns the series index in its batch. */
  private addFloat(labels: Labels, p: PointScratch, value: number): number {
    const t = this.target;
    if (this.isDelta) {
      const index = t.delta.addSeries(labels);
      t.delta.addSample(p.timeMs, value);
      t.deltaFloatStarts.push(p.startMs);
      return index;
    }
    const index = t.batch.addSeries(labels);
    t.batch.addSample(p.timeMs, value);
    return index;
  }

  private addHistogramSample(p: PointScratch, h: NativeHistogram): void {
    const labels = this.series(SeriesTag.Family, 0);
    const t = this.target;
    const builder = this.isDelta ? t.delta : t.batch;
    const index = builder.addSeries(labels);
    builder.addHistogram(index, p.timeMs, h);
    if (this.isDelta) t.deltaHistogramStarts.push(p.startMs);
    if (p.exemplarCount > 0) this.addExemplars(index, p, 0, p.exemplarCount, labels);
  }

  /** Explicit buckets as a native histogram with custom buckets (schema -53). */
  private customBucketsPoint(p: PointScratch): void {
    if (!this.acceptPoint(p, SeriesTag.Family)) return;
    const bounds = p.bounds;
    for (let i = 0; i < bounds.length; i++) {
      const b = bounds.data[i]!;
      if (Number.isNaN(b) || (i > 0 && !(b > bounds.data[i - 1]!))) {
        this.rejectPoint('invalid_histogram', `metric ${JSON.stringify(this.family)}: explicit bounds are not strictly increasing`);
        return;
      }
    }
    if (p.bucketCounts.length > bounds.length + 1) {
      this.rejectPoint('invalid_histogram', `metric ${JSON.stringify(this.family)}: ${p.bucketCounts.length} bucket counts for ${bounds.length} bounds`);
      return;
    }
    // Leading empty buckets are skipped: the first span starts at the first non-empty one.
    const counts = p.bucketCounts;
    let offset = 0;
    while (offset < counts.length && counts.data[offset] === 0) offset++;
    const rest = this.customCounts;
    rest.length = 0;
    for (let i = offset; i < counts.length; i++) rest.push(counts.data[i]!);
    layoutBuckets(rest.data, rest.length, offset, 0, false, this.posSpans, this.posOut);
    const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
    this.addHistogramSample(p, {
      isInteger: true,
      schema: CUSTOM_BUCKETS_SCHEMA,
      zeroThreshold: 0,
      zeroCount: 0,
      count: stale ? STALE_NAN : p.count,
      sum: stale ? STALE_NAN : p.hasSum ? p.sum : 0,
      positiveSpans: this.posSpans.copy(),
      positiveCounts: this.posOut.copy(),
      negativeSpans: new Int32Array(0),
      negativeCounts: new Float64Array(0),
      resetHint: RESET_HINT_UNKNOWN,
      customValues: bounds.copy(),
    });
  }

  /**
   * Exemplars `[from, to)` of the point onto a series, sorted by timestamp: `trace_id` and
   * `span_id` in hex from the trace context, the filtered attributes unless the whole set
   * would exceed 128 runes.
   */
  private addExemplars(seriesIndex: number, p: PointScratch, from: number, to: number, series: Labels): void {
    const builder = this.isDelta ? this.target.delta : this.target.batch;
    const out: Array<{ labels: Labels; timestamp: number; value: number }> = [];
    for (let i = from; i < to; i++) {
      const e = p.exemplars[i]!;
      const labels = exemplarLabels(e);
      if (typeof labels === 'string') {
        this.rejected['invalid_exemplar'] = (this.rejected['invalid_exemplar'] ?? 0) + 1;
        this.note(`exemplar of series ${describe(series)}: ${labels}`);
        continue;
      }
      out.push({ labels, timestamp: e.timeMs, value: e.value });
    }
    if (out.length > 1) out.sort((a, b) => a.timestamp - b.timestamp);
    for (const e of out) builder.addExemplar({ seriesIndex, labels: e.labels, timestamp: e.timestamp, value: e.value });
  }

  private rejectPoint(reason: OtlpRejectionReason, message: string): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
    this.rejectedPoints++;
    this.note(`${reason}: ${message}`);
  }

  private note(message: string): void {
    if (this.messages.length < MAX_MESSAGES) this.messages.push(message);
  }

  private warn(message: string): void {
    this.warnCount++;
    if (this.warnings.length < MAX_MESSAGES && !this.warnings.includes(message)) this.warnings.push(message);
  }
}

function prometheusType(kind: OtlpMetricKind): MetricType {
  switch (kind) {
    case 'gauge':
    case 'sum':
      return 'gauge';
    case 'monotonic_sum':
      return 'counter';
    case 'histogram':
    case 'exponential_histogram':
      return 'histogram';
    case 'summary':
      return 'summary';
  }
}

/** UTF-8 byte length, computed only when the UTF-16 length leaves any doubt about `limit`. */
function utf8Length(s: string, limit: number): number {
  return s.length * 3 <= limit ? s.length : Buffer.byteLength(s, 'utf8');
}

function describe(labels: Labels): string {
  let out = '{';
  for (let i = 0; i < labels.length; i += 2) {
    if (i > 0) out += ', ';
    out += `${labels[i]}=${JSON.stringify(labels[i + 1])}`;
    if (out.length > 200) return out.slice(0, 200) + '…}';
  }
  return out + '}';
}
