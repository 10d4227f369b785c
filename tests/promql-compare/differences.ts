/**
 * Where Prometheus 2.42 (Debian) and Prometheus 3.x answer the corpus differently, by class.
 * Pharos follows 3.x; these queries are compared with 3.x only. The test checks this list
 * both ways: every query on which 2.42 and 3.x differ must be listed here, and a listed query
 * on which they agree must be removed. docs/promql-compatibility.md explains each class.
 *
 * Query texts are corpus entries as written (with `{{t:…}}` placeholders).
 */
export interface DifferenceClass {
  readonly id: string;
  readonly title: string;
  /** The 3.x (or 2.x) release that changed it, with the upstream pull request where known. */
  readonly since: string;
  readonly detail: string;
  readonly queries: readonly string[];
}

export const PROMETHEUS_2_VS_3_DIFFERENCES: readonly DifferenceClass[] = [
  {
    id: "left-open-windows",
    title: "Range selectors and the lookback window are left-open",
    since: "3.0.0 (#13904)",
    detail:
      "A sample exactly at `t - range` (or `t - 5m` for an instant selector) is outside the window in 3.x and inside it in 2.42. It shows when samples or subquery steps fall on the boundary: series scraped on whole multiples of the window, and subqueries, whose inner steps are aligned to multiples of the step, evaluated at such times (`@` on a whole minute, nested subqueries).",
    queries: [
      "count_over_time(aligned_gauge[1m])",
      "sum_over_time(aligned_counter_total[2m])",
      "delta(aligned_gauge[30s])",
      "changes(aligned_gauge[15s])",
      "avg_over_time(up[30m:1m] @ {{t:8400}})",
      "rate(http_requests_total[5m:30s] @ {{t:9000}})",
      "max_over_time(max_over_time(process_resident_memory_bytes[5m:1m])[20m:3m])",
    ],
  },
  {
    id: "rate-extrapolation",
    title: "rate()/increase() extrapolation toward the window start",
    since: "2.51.0 (#13725)",
    detail:
      "When a counter's first sample in the window is far from the window start (the series begins or restarts inside the window), 2.42 limits the extrapolation to where the counter would reach zero before deciding whether to extrapolate at all, and so can extrapolate further; 3.x caps it at half an average sample interval first. Every query built on rate/increase of a counter that starts inside a window (data start, the api-2 restart, gaps) shows it, including classic histogram_quantile over rate() of buckets.",
    queries: [
      "min_over_time(sum(rate(http_requests_total[5m]))[1h:])",
      "sum by (code) (rate(http_requests_total[5m]))",
      "sum(rate(http_requests_total[5m])) by (method)",
      "stdvar without (instance) (rate(http_requests_total[5m]))",
      "histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[5m]))",
      "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
      "histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket[10m])))",
      "histogram_quantile(0.5, sum by (handler, le) (increase(http_request_duration_seconds_bucket[1h])))",
      "histogram_quantile(0.75, sum without (instance) (rate(http_request_duration_seconds_bucket{handler=\"/healthz\"}[15m])))",
      "histogram_quantile(0.5, label_replace(rate(http_request_duration_seconds_bucket[5m]), \"le\", \"x\", \"le\", \"0.5\"))",
      "histogram_quantile(scalar(up{instance=\"api-1:8080\"}) * 0.3, rate(http_request_duration_seconds_bucket[5m]))",
      "sum(rate(http_request_duration_seconds_bucket[5m])) by (le)",
      "sort_desc(rate(http_requests_total[5m]))",
      "rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])",
      "rate(http_requests_total[5m])",
      "rate(http_requests_total[1m])",
      "rate(http_requests_total{instance=\"api-2:8080\"}[10m])",
      "rate(process_resident_memory_bytes[5m])",
      "rate(sparse_gauge[10m])",
      "increase(http_requests_total[5m])",
      "increase(http_requests_total[1h])",
      "increase(http_requests_total{instance=\"api-2:8080\"}[40m])",
      "rate(http_requests_total[5m] offset 30m)",
      "sum by (instance) (rate(http_requests_total[5m]))",
      "increase(http_request_duration_seconds_count[10m])",
      "max_over_time(rate(http_requests_total[5m])[30m:1m])",
      "rate(http_requests_total[5m:30s])",
      "increase(http_requests_total[10m:1m])",
      "histogram_quantile(0.9, max_over_time(rate(http_request_duration_seconds_bucket[5m])[10m:1m]))",
      "rate(process_resident_memory_bytes[5m] offset 1m)",
    ],
  },
  {
    id: "native-histograms",
    title: "Native histograms were experimental in 2.42",
    since: "3.0.0 and later (#14677 exponential interpolation, #16828 counter extrapolation, #14941 and others)",
    detail:
      "2.42 ignores or mishandles native histograms in most operators: aggregations other than sum/count return floats (0) instead of ignoring them, arithmetic with scalars, unary minus, comparisons and the *_over_time functions treat them as floats, resets()/changes() return 0, count_values cannot render them, histogram_quantile/histogram_fraction interpolate linearly inside exponential buckets (3.x: exponentially) and rate() extrapolates native counters differently.",
    queries: [
      "sum(rate(http_request_duration_native_seconds[5m]))",
      "histogram_count(rate(http_request_duration_native_seconds[5m]))",
      "histogram_sum(rate(http_request_duration_native_seconds[5m]))",
      "rate(http_request_duration_native_seconds[5m])",
      "increase(http_request_duration_native_seconds[10m])",
      "rate(http_request_duration_native_seconds{instance=\"api-2:8080\"}[40m])",
      "avg(http_request_duration_native_seconds)",
      "min(http_request_duration_native_seconds)",
      "max(http_request_duration_native_seconds)",
      "topk(1, http_request_duration_native_seconds)",
      "stddev(http_request_duration_native_seconds)",
      "quantile(0.5, http_request_duration_native_seconds)",
      "count_values(\"x\", http_request_duration_native_seconds)",
      "histogram_quantile(0.5, rate(http_request_duration_native_seconds[5m]))",
      "histogram_quantile(0.9, sum(rate(http_request_duration_native_seconds[5m])))",
      "histogram_quantile(0.99, http_request_duration_native_seconds)",
      "histogram_quantile(0.5, sum by (job) (rate(http_request_duration_native_seconds[1h])))",
      "histogram_quantile(0.5, {__name__=~\"http_request_duration_native_seconds|http_request_duration_seconds_bucket\"})",
      "histogram_fraction(0.1, 1, http_request_duration_native_seconds)",
      "rate(http_request_duration_seconds_count[5m]) - ignoring(handler) group_left histogram_count(rate(http_request_duration_native_seconds[5m]))",
      "label_replace(http_request_duration_native_seconds, \"h\", \"$1\", \"instance\", \"api-(.*)\")",
      "http_request_duration_native_seconds * 2",
      "2 * http_request_duration_native_seconds",
      "http_request_duration_native_seconds / 4",
      "http_request_duration_native_seconds - http_request_duration_native_seconds offset 5m",
      "http_request_duration_native_seconds == http_request_duration_native_seconds",
      "http_request_duration_native_seconds * on(instance) group_left(version) build_info",
      "-http_request_duration_native_seconds",
      "last_over_time(http_request_duration_native_seconds[5m])",
      "irate(http_request_duration_native_seconds[1m])",
      "resets(http_request_duration_native_seconds[1h])",
      "changes(http_request_duration_native_seconds[10m])",
      "sum_over_time(http_request_duration_native_seconds[2m])",
      "avg_over_time(http_request_duration_native_seconds[2m])",
      "histogram_quantile(0.5, last_over_time(rate(http_request_duration_native_seconds[5m])[10m:2m]))",
      "sum_over_time(http_request_duration_native_seconds[5m:1m])",
      "rate(http_request_duration_native_seconds[10m:1m])",
    ],
  },
  {
    id: "functions-added",
    title: "Functions and aggregators that 2.42 does not have",
    since: "2.49.0\u20133.16.0",
    detail:
      "limitk and limit_ratio (2.54), sort_by_label(_desc) and mad_over_time (2.49), histogram_avg (2.51), histogram_stddev/stdvar (2.47), first_over_time and ts_of_*_over_time (3.7), double_exponential_smoothing (3.0, the renamed holt_winters), histogram_quantiles, info, integral and start_timestamp (3.x, experimental), histogram_fraction on classic histograms (3.4, #16095). 2.42 answers these with `bad_data` (unknown function), so also the argument-validation errors of these functions differ. Experimental in 3.x: compared with `--enable-feature=promql-experimental-functions`.",
    queries: [
      "info(up)",
      "info(up, {__name__=\"build_info\"})",
      "info(process_resident_memory_bytes, {__name__=\"build_info\", version=~\"1.5.*\"})",
      "start_timestamp(up)",
      "integral(process_resident_memory_bytes[10m])",
      "integral(temperature_celsius[30m], 0)",
      "integral(special_values[5m], 1)",
      "limitk(2, up)",
      "limitk by (job) (1, up)",
      "limitk(0, up)",
      "limitk(100, process_resident_memory_bytes)",
      "limit_ratio(0.5, up)",
      "limit_ratio(-0.5, up)",
      "limit_ratio(1, http_requests_total)",
      "limit_ratio(0, up)",
      "limit_ratio by (job) (0.3, up)",
      "limitk(3, http_request_duration_native_seconds)",
      "first_over_time(aligned_gauge[45s])",
      "double_exponential_smoothing(process_resident_memory_bytes[10m], 1.5, 0.5)",
      "double_exponential_smoothing(process_resident_memory_bytes[10m], 0.5, 0)",
      "limitk(-1, up)",
      "limit_ratio(1.5, up)",
      "histogram_avg(rate(http_request_duration_native_seconds[5m]))",
      "histogram_avg(http_request_duration_native_seconds)",
      "histogram_stddev(rate(http_request_duration_native_seconds[10m]))",
      "histogram_stdvar(rate(http_request_duration_native_seconds[10m]))",
      "histogram_stddev(http_request_duration_native_seconds)",
      "histogram_fraction(0, 0.25, rate(http_request_duration_seconds_bucket[5m]))",
      "histogram_fraction(0.1, 1, sum by (le) (rate(http_request_duration_seconds_bucket[10m])))",
      "histogram_quantiles(rate(http_request_duration_native_seconds[5m]), \"q\", 0.5, 0.9)",
      "histogram_quantiles(sum by (le) (rate(http_request_duration_seconds_bucket[5m])), \"quantile\", 0.1, 0.99)",
      "sort_by_label(up, \"instance\")",
      "sort_by_label_desc(up, \"job\", \"instance\")",
      "sort_by_label(temperature_celsius, \"city\")",
      "sort_by_label(http_requests_total, \"code\", \"method\")",
      "sort_by_label_desc(node_cpu_seconds_total, \"mode\")",
      "max_of(1, 2)",
      "min_of(scalar(sum(up)), 5)",
      "first_over_time(process_resident_memory_bytes[10m])",
      "first_over_time(temperature_celsius[1h])",
      "mad_over_time(process_resident_memory_bytes[30m])",
      "mad_over_time(temperature_celsius[10m])",
      "double_exponential_smoothing(process_resident_memory_bytes[30m], 0.5, 0.5)",
      "double_exponential_smoothing(temperature_celsius[1h], 0.1, 0.9)",
      "double_exponential_smoothing(node_filesystem_free_bytes[1h], 0.3, 0.7)",
      "ts_of_max_over_time(temperature_celsius[30m])",
      "ts_of_min_over_time(process_resident_memory_bytes[30m])",
      "ts_of_last_over_time(sparse_gauge[30m])",
      "ts_of_first_over_time(batch_task_progress_ratio[1h])",
    ],
  },
  {
    id: "holt-winters-renamed",
    title: "holt_winters removed",
    since: "3.0.0 (#14930)",
    detail:
      "`holt_winters` was renamed to `double_exponential_smoothing` (experimental). 3.x rejects `holt_winters` as an unknown function (`bad_data`).",
    queries: [
      "holt_winters(process_resident_memory_bytes[30m], 0.5, 0.5)",
    ],
  },
  {
    id: "regex-dot-newline",
    title: "Regex `.` matches newline",
    since: "3.0.0",
    detail:
      "Label matchers and label_replace regexes are compiled with `(?s)` in 3.x, so `.` matches `\\n`; in 2.42 it does not. Visible with a label value containing a newline.",
    queries: [
      "temperature_celsius{city=~\"line1.line2\"}",
      "temperature_celsius{city!~\"line1.*\"}",
      "label_replace(temperature_celsius, \"c\", \"$0\", \"city\", \".*\")",
      "label_replace(temperature_celsius, \"first\", \"$1\", \"city\", \"(.*)line2\")",
    ],
  },
  {
    id: "utf8-names",
    title: "UTF-8 metric and label names",
    since: "3.0.0 (#14705), label_replace/label_join 3.3.0 (#15974)",
    detail:
      "3.x accepts any UTF-8 label name: the quoted selector syntax `{\"name.with.dots\"}`, quoted names in `by`/`without`, and label_replace/label_join/count_values destination labels such as `ünï.côdé` or `1invalid`, which 2.42 rejects (parse error `bad_data`, or `execution` for invalid destination labels).",
    queries: [
      "{\"pharos.utf8.gauge\", \"ünï.côdé\"=\"✓\"}",
      "sum by (\"ünï.côdé\") ({__name__=\"pharos.utf8.gauge\"})",
      "label_replace(up, \"ünï.côdé\", \"$1\", \"job\", \"(.*)\")",
      "label_replace(up, \"1invalid\", \"$1\", \"job\", \"(.*)\")",
      "label_join(up, \"1x\", \",\", \"job\")",
      "count_values(\"1bad\", up)",
      "{\"pharos.utf8.gauge\"}",
    ],
  },
  {
    id: "number-literals",
    title: "Number and duration literals",
    since: "2.54.0 (#9138, #12821)",
    detail:
      "3.x accepts a plain number where a duration is expected (`offset 5` = 5 s), a duration where a number is expected (`> 10m` = 600) and underscores in numbers (`1_000`).",
    queries: [
      "up * 1_000",
      "time() - timestamp(up) > 10m",
      "up offset 5",
    ],
  },
  {
    id: "duration-expressions",
    title: "Arithmetic in durations (experimental)",
    since: "3.x, `--enable-feature=promql-duration-expr`",
    detail:
      "`[5m+1m]`, `offset (5m * 2)`, `step()`, `range()`, `min_of()`/`max_of()` inside ranges and subquery steps. 2.42 has no such syntax (`bad_data`).",
    queries: [
      "avg_over_time(up[max_of(range(), 5m)])",
      "sum_over_time(up[min_of(5m, 10m)])",
      "max_over_time(up[range()])",
      "rate(http_requests_total[5m+1m])",
      "rate(http_requests_total[10m - 2m30s])",
      "avg_over_time(process_resident_memory_bytes[2 * 5m])",
      "up offset (5m * 2)",
      "max_over_time(up[step()])",
      "count_over_time(up[step() * 4])",
      "avg_over_time(temperature_celsius[1h:step()])",
    ],
  },
  {
    id: "quantile-infinities",
    title: "quantile_over_time with ±Inf samples",
    since: "observed between 2.42 and 3.16",
    detail:
      "With φ = 1 over a window holding +Inf/-Inf samples 2.42 returns NaN (it interpolates Inf - Inf), 3.x returns the extreme value itself.",
    queries: [
      "quantile_over_time(1, special_values[5m])",
    ],
  },
  {
    id: "extended-range-selectors",
    title: "anchored and smoothed range selectors",
    since: "3.x (experimental, made permanent by 3.16.0)",
    detail:
      "`x[r] anchored` also takes the sample at or before the window start (rate/increase/delta without extrapolation), `x[r] smoothed` interpolates values at both window edges; 2.42 cannot parse either (`bad_data`).",
    queries: [
      "increase(http_requests_total[5m] anchored)",
      "rate(http_requests_total[5m] smoothed)",
      "delta(temperature_celsius[10m] anchored)",
      "rate(rpc_errors_total[15m] anchored)",
      "temperature_celsius smoothed",
    ],
  },
  {
    id: "trim-operators",
    title: "Histogram trim operators",
    since: "3.16.0 (#17904)",
    detail:
      "`h </ x` keeps the observations of native histogram `h` below `x`, `h >/ x` those above. 2.42 has no such operator (`bad_data`).",
    queries: [
      "http_request_duration_native_seconds </ 0.25",
      "rate(http_request_duration_native_seconds[5m]) >/ 0.1",
      "histogram_count(rate(http_request_duration_native_seconds[5m]) </ 0.3)",
      "http_request_duration_native_seconds >/ on(instance) group_left up",
      "up </ 1",
    ],
  },
  {
    id: "atan2-scalar",
    title: "atan2 between a vector and a scalar",
    since: "observed between 2.42 and 3.16",
    detail:
      "`v atan2 10` returns no series in 2.42; 3.x returns atan2(v, 10) per series.",
    queries: [
      "temperature_celsius atan2 10",
    ],
  },
];

/** The difference class a query is listed under, if any. */
export function differenceClassOf(queryId: string): DifferenceClass | undefined {
  return PROMETHEUS_2_VS_3_DIFFERENCES.find((c) => c.queries.includes(queryId));
}
