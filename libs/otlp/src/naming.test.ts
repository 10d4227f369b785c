import { describe, expect, it } from 'vitest';
import { type OtlpMetricKind, OtlpNameError, labelName, metricFamilyName, prometheusUnit } from '#pharos/otlp';

// Fixtures written from OpenTelemetry's Prometheus-compatibility specification
// (compatibility/prometheus_and_openmetrics.md, "OTLP Metric points to Prometheus") and the
// behaviour of Prometheus 3.16's receiver (otlptranslator v1.0.0).
describe('metric family names', () => {
  const cases: Array<[string, string, OtlpMetricKind, string, string]> = [
    // name, unit, kind, with suffixes (legacy escaping), without suffixes (legacy escaping)
    ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds', 'http_server_request_duration'],
    ['http.server.active_requests', '{request}', 'sum', 'http_server_active_requests', 'http_server_active_requests'],
    ['requests', '1', 'monotonic_sum', 'requests_total', 'requests'],
    ['requests.total', '', 'monotonic_sum', 'requests_total', 'requests_total'],
    ['total.requests', '', 'monotonic_sum', 'requests_total', 'total_requests'],
    ['cpu.utilization', '1', 'gauge', 'cpu_utilization_ratio', 'cpu_utilization'],
    ['cpu.utilization.ratio', '1', 'gauge', 'cpu_utilization_ratio', 'cpu_utilization_ratio'],
    ['memory.usage', 'By', 'gauge', 'memory_usage_bytes', 'memory_usage'],
    ['memory_usage_bytes', 'By', 'gauge', 'memory_usage_bytes', 'memory_usage_bytes'],
    ['network.io', 'By/s', 'monotonic_sum', 'network_io_bytes_per_second_total', 'network_io'],
    ['queue.time', 'ms', 'gauge', 'queue_time_milliseconds', 'queue_time'],
    ['temp', 'Cel', 'gauge', 'temp_celsius', 'temp'],
    ['disk.ops', '{operation}/s', 'sum', 'disk_ops_per_second', 'disk_ops'],
    ['weird__name..with::colons', '', 'gauge', 'weird_name_with::colons', 'weird__name_with::colons'],
    ['2xx.responses', '', 'monotonic_sum', '_2xx_responses_total', '_2xx_responses'],
    ['élan.vital', 'm', 'gauge', 'lan_vital_meters', 'lan_vital'],
    ['latency', 'us', 'summary', 'latency_microseconds', 'latency'],
    ['custom', 'foo/bar', 'gauge', 'custom_foo_per_bar', 'custom'],
    ['load', '%', 'gauge', 'load_percent', 'load'],
  ];
  it.each(cases)('%s [%s, %s] → %s / %s', (name, unit, kind, withSuffixes, without) => {
    expect(metricFamilyName(name, unit, kind, true, true)).toBe(withSuffixes);
    expect(metricFamilyName(name, unit, kind, true, false)).toBe(without);
  });

  const utf8: Array<[string, string, OtlpMetricKind, string]> = [
    ['http.server.request.duration', 's', 'histogram', 'http.server.request.duration_seconds'],
    ['requests', '', 'monotonic_sum', 'requests_total'],
    ['requests_total', '', 'monotonic_sum', 'requests_total'],
    ['cpu.utilization', '1', 'gauge', 'cpu.utilization_ratio'],
    ['latency_seconds', 's', 'histogram', 'latency_seconds'],
    ['net.io', 'By/s', 'monotonic_sum', 'net.io_bytes_per_second_total'],
    ['名前', '', 'gauge', '名前'],
  ];
  it.each(utf8)('UTF-8 with suffixes: %s [%s, %s] → %s', (name, unit, kind, expected) => {
    expect(metricFamilyName(name, unit, kind, false, true)).toBe(expected);
    expect(metricFamilyName(name, unit, kind, false, false)).toBe(name);
  });

  it('refuses names that translate to nothing or to underscores only', () => {
    expect(() => metricFamilyName('...', '', 'gauge', true, true)).toThrow(OtlpNameError);
    expect(() => metricFamilyName('', '', 'gauge', true, false)).toThrow(/empty/);
  });
});

describe('metadata units', () => {
  it.each([
    ['s', 'seconds'],
    ['By/s', 'bytes_per_second'],
    ['{request}', ''],
    ['1', ''],
    ['%', 'percent'],
    ['m/s', 'meters_per_second'],
    ['foo.bar', 'foo_bar'],
  ])('%s → %s', (unit, expected) => expect(prometheusUnit(unit)).toBe(expected));
});

describe('label names', () => {
  const legacy = { escape: true, underscoreSanitization: true, preserveMultipleUnderscores: true };
  const collapsing = { escape: true, underscoreSanitization: false, preserveMultipleUnderscores: false };
  it.each([
    ['http.method', 'http_method', 'http_method'],
    ['service.instance.id', 'service_instance_id', 'service_instance_id'],
    ['foo__bar', 'foo__bar', 'foo_bar'],
    ['_private', 'key_private', '_private'],
    ['__reserved__', '__reserved__', '__reserved__'],
    ['__a.b__', '__a_b__', '__a_b__'],
    ['0day', 'key_0day', 'key_0day'],
    ['länge', 'l_nge', 'l_nge'],
    ['a..b', 'a__b', 'a_b'],
  ])('%s → %s (Prometheus defaults) / %s (collapsing)', (key, defaults, collapsed) => {
    expect(labelName(key, legacy)).toBe(defaults);
    expect(labelName(key, collapsing)).toBe(collapsed);
  });

  it('keeps UTF-8 names as they are, refusing empty and underscore-only ones', () => {
    const utf8 = { escape: false, underscoreSanitization: true, preserveMultipleUnderscores: true };
    expect(labelName('http.method', utf8)).toBe('http.method');
    expect(() => labelName('', utf8)).toThrow(/empty/);
    expect(() => labelName('___', utf8)).toThrow(/underscores/);
    expect(() => labelName('...', collapsing)).toThrow(/invalid name/);
  });
});
