/**
 * Corpus queries on which Pharos does not yet answer like Prometheus 3.x (or like 2.42 outside
 * the listed 2.42/3.x differences), each with the cause as far as it is known. The comparison
 * test fails when a query not listed here fails, and when a listed query passes (remove it).
 * Keys are corpus entries as written (with `{{t:…}}` placeholders).
 */
export const PHAROS_KNOWN_FAILURES: Readonly<Record<string, string>> = {
  // 3.x removed holt_winters (bad_data, unknown function); Pharos still accepts it.
  'holt_winters(process_resident_memory_bytes[30m], 0.5, 0.5)': 'holt_winters accepted; 3.x rejects it as unknown (bad_data)',

  // Functions Pharos does not implement yet (experimental in 3.x, on in the reference).
  'histogram_quantiles(rate(http_request_duration_native_seconds[5m]), "q", 0.5, 0.9)': 'histogram_quantiles not implemented',
  'histogram_quantiles(sum by (le) (rate(http_request_duration_seconds_bucket[5m])), "quantile", 0.1, 0.99)': 'histogram_quantiles not implemented',
  'start_timestamp(up)': 'start_timestamp not implemented',
  'integral(process_resident_memory_bytes[10m])': 'integral not implemented',
  'integral(temperature_celsius[30m], 0)': 'integral not implemented',
  'integral(special_values[5m], 1)': 'integral not implemented',
  'max_over_time(up[step()])': 'step() in durations not implemented',
  'count_over_time(up[step() * 4])': 'step() in durations not implemented',
  'avg_over_time(temperature_celsius[1h:step()])': 'step() in durations not implemented',
  'avg_over_time(up[max_of(range(), 5m)])': 'range() in durations not implemented',
  'max_over_time(up[range()])': 'range() in durations not implemented',

  // A float gauge histogram whose only population below 0 is in the zero bucket [-1e-3, 1e-3]:
  // Prometheus counts the part of the zero bucket below the upper bound 0 (0.125), Pharos 0.
  'histogram_fraction(-1, 0, queue_wait_delta_native_seconds)': 'zero bucket not interpolated when the upper bound 0 falls inside it',

  // Prometheus converts the value with Go's int64(v), which is MinInt64 for NaN and ±Inf on
  // amd64, so hour() of NaN/±Inf is the hour of that instant (15); Pharos answers NaN.
  'hour(special_values)': 'hour() of NaN/±Inf: NaN instead of the hour of int64(v) = MinInt64 (15)',

  // With φ = 1 over ±Inf samples 3.x returns the infinity; Pharos interpolates Inf - Inf = NaN (as 2.42).
  'quantile_over_time(1, special_values[5m])': 'quantile_over_time with ±Inf samples: NaN instead of ±Inf (2.42 behaviour)',

  // RE2 inline flags: Pharos compiles matchers as JavaScript regexes, which reject `(?i)`
  // inside the pattern; the query fails with an internal error.
  'temperature_celsius{city!~"(?i)zürich|東京"}': 'regex inline flag (?i) rejected (internal error)',
  'temperature_celsius{city=~"(?i)SÃO.*|são.*"}': 'regex inline flag (?i) rejected (internal error)',
};
