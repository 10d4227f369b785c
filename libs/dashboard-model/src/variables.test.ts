import { describe, expect, it } from 'vitest';
import type { CustomVariable, DashboardVariable, IntervalVariable, QueryVariable } from './dashboard-model.js';
import { autoInterval, formatDurationMs, parseDurationMs, rateIntervalMs, roundInterval } from './intervals.js';
import {
  ALL_VALUE,
  interpolate,
  referencedVariables,
  resolveCurrent,
  scopeVariable,
  VariableCycleError,
  variableDependencies,
  type InterpolationScope,
  type ScopeVariable,
  type VariableOption,
} from './variables.js';

const opts = (...values: string[]): VariableOption[] => values.map((v) => ({ text: v, value: v }));

function custom(name: string, current: string[], extra: Partial<CustomVariable> = {}): CustomVariable {
  return { kind: 'custom', name, label: '', multi: false, includeAll: false, allValue: null, current, options: current, ...extra };
}

function query(name: string, q: string, extra: Partial<QueryVariable> = {}): QueryVariable {
  return { kind: 'query', name, label: '', multi: false, includeAll: false, allValue: null, current: [], query: q, regex: '', sort: 'none', refresh: 'load', ...extra };
}

function scopeOf(entries: Record<string, ScopeVariable>, extra: Partial<InterpolationScope> = {}): InterpolationScope {
  return { variables: new Map(Object.entries(entries)), ...extra };
}

const single = (value: string): ScopeVariable => ({ value, text: value, multi: false, includeAll: false, customAllValue: null });
const multi = (...value: string[]): ScopeVariable => ({ value, text: value, multi: true, includeAll: false, customAllValue: null });

describe('interpolate: syntax', () => {
  const scope = scopeOf({ job: single('node'), instance: single('host:9100') });

  it('replaces $var, ${var}, [[var]] and leaves unknown variables and PromQL $1 alone', () => {
    expect(interpolate('up{job="$job"}', scope)).toBe('up{job="node"}');
    expect(interpolate('up{job="${job}",instance="[[instance]]"}', scope)).toBe('up{job="node",instance="host:9100"}');
    expect(interpolate('x_${job}_total', scope)).toBe('x_node_total');
    expect(interpolate('up{job="$unknown",x="${nope:csv}",y="[[gone]]"}', scope)).toBe('up{job="$unknown",x="${nope:csv}",y="[[gone]]"}');
    expect(interpolate('label_replace(up, "a", "$1", "job", "(.*)")', scope)).toBe('label_replace(up, "a", "$1", "job", "(.*)")');
    expect(interpolate('no variables here', scope)).toBe('no variables here');
  });

  it('takes the longest name after $ ($jobs is not $job followed by s)', () => {
    expect(interpolate('$jobs', scope)).toBe('$jobs');
    expect(interpolate('${job}s', scope)).toBe('nodes');
  });

  it('leaves ${var.path} field paths as written', () => {
    expect(interpolate('${job.name}', scope)).toBe('${job.name}');
  });

  it('returns the same text for repeated calls (cached templates)', () => {
    for (let i = 0; i < 3; i++) expect(interpolate('rate(x{job=~"$job"}[5m])', scope)).toBe('rate(x{job=~"node"}[5m])');
  });
});

describe('interpolate: Prometheus default format', () => {
  it('escapes backslash and single quote of a single-value variable, nothing else', () => {
    expect(interpolate('$v', scopeOf({ v: single("a.b\\c'd") }))).toBe("a.b\\\\c\\\\'d");
  });

  it('regex-escapes for a PromQL string and joins multi values as (a|b)', () => {
    expect(interpolate('up{instance=~"$v"}', scopeOf({ v: multi('a.b:9100', 'c') }))).toBe('up{instance=~"(a\\\\.b:9100|c)"}');
    expect(interpolate('$v', scopeOf({ v: multi('x+y') }))).toBe('x\\\\+y');
    // A backslash in a value becomes four: two for the string literal, two for the regex.
    expect(interpolate('$v', scopeOf({ v: multi('a\\b', 'c') }))).toBe('(a\\\\\\\\b|c)');
  });

  it('regex-escapes a single value of an include-All variable', () => {
    expect(interpolate('$v', scopeOf({ v: { ...single('a.b'), includeAll: true } }))).toBe('a\\\\.b');
  });
});

describe('interpolate: explicit formats', () => {
  const s = scopeOf({ servers: { value: ['test1.', 'test2'], text: ['Test 1', 'Test 2'], multi: true, includeAll: false, customAllValue: null }, one: single("it's") });
  it.each([
    ['raw', 'test1.,test2'],
    ['regex', '(test1\\.|test2)'],
    ['pipe', 'test1.|test2'],
    ['csv', 'test1.,test2'],
    ['json', '["test1.","test2"]'],
    ['glob', '{test1.,test2}'],
    ['text', 'Test 1 + Test 2'],
    ['queryparam', 'var-servers=test1.&var-servers=test2'],
    ['lucene', '("test1." OR "test2")'],
    ['doublequote', '"test1.","test2"'],
    ['singlequote', "'test1.','test2'"],
    ['sqlstring', "'test1.','test2'"],
    ['percentencode', '%7Btest1.%2Ctest2%7D'],
    ['unknownformat', '{test1.,test2}'],
  ])('${servers:%s}', (format, expected) => {
    expect(interpolate(`\${servers:${format}}`, s)).toBe(expected);
    expect(interpolate(`[[servers:${format}]]`, s)).toBe(expected);
  });

  it('formats single values', () => {
    expect(interpolate('${one:singlequote}', s)).toBe("'it\\'s'");
    expect(interpolate('${one:sqlstring}', s)).toBe("'it''s'");
    expect(interpolate('${one:doublequote}', scopeOf({ one: single('say "hi"') }))).toBe('"say \\"hi\\""');
    expect(interpolate('${one:percentencode}', scopeOf({ one: single('foo()bar BAZ') }))).toBe('foo%28%29bar%20BAZ');
    expect(interpolate('${one:lucene}', scopeOf({ one: single('a b:c') }))).toBe('a\\ b\\:c');
    expect(interpolate('${one:lucene}', scopeOf({ one: single('42') }))).toBe('42');
    expect(interpolate('${one:regex}', scopeOf({ one: single('a/b.c') }))).toBe('a\\/b\\.c');
    expect(interpolate('${one:json}', scopeOf({ one: single('x') }))).toBe('x');
    expect(interpolate('${one:queryparam}', scopeOf({ one: single('a&b') }))).toBe('var-one=a%26b');
  });

  it('uses the default format given for titles and legends', () => {
    expect(interpolate('CPU of $servers', s, 'text')).toBe('CPU of Test 1 + Test 2');
    expect(interpolate('{{instance}} $servers', s, 'glob')).toBe('{{instance}} {test1.,test2}');
  });
});

describe('scopeVariable and "All"', () => {
  const options = opts('a.b', 'c');

  it('expands All to every option, formatted like a multi value', () => {
    const v = custom('x', [ALL_VALUE], { includeAll: true, multi: true });
    const scope = scopeOf({ x: scopeVariable(v, options) });
    expect(interpolate('up{x=~"$x"}', scope)).toBe('up{x=~"(a\\\\.b|c)"}');
    expect(interpolate('${x:text}', scope)).toBe('All');
    expect(interpolate('${x:csv}', scope)).toBe('a.b,c');
  });

  it('inserts a custom allValue unformatted except for text and percentencode', () => {
    const v = custom('x', [ALL_VALUE], { includeAll: true, allValue: '.*' });
    const scope = scopeOf({ x: scopeVariable(v, options) });
    expect(interpolate('up{x=~"$x"}', scope)).toBe('up{x=~".*"}');
    expect(interpolate('${x:regex}', scope)).toBe('.*');
    expect(interpolate('${x:text}', scope)).toBe('All');
    expect(interpolate('${x:percentencode}', scope)).toBe('.%2A');
  });

  it('uses option texts for the text format and resolves auto intervals', () => {
    const q = query('q', 'label_values(job)', { current: ['v1'] });
    expect(interpolate('${q:text}', scopeOf({ q: scopeVariable(q, [{ text: 'Shown', value: 'v1' }]) }))).toBe('Shown');
    const iv: IntervalVariable = { kind: 'interval', name: 'iv', label: '', multi: false, includeAll: false, allValue: null, current: ['auto'], options: ['1m', '5m'], auto: true, autoCount: 30, autoMin: '10s' };
    expect(interpolate('rate(x[$iv])', scopeOf({ iv: scopeVariable(iv, opts('1m', '5m'), { rangeMs: 6 * 3_600_000 }) }))).toBe('rate(x[10m])');
    expect(interpolate('rate(x[$iv])', scopeOf({ iv: scopeVariable({ ...iv, current: ['5m'] }, opts('1m', '5m')) }))).toBe('rate(x[5m])');
  });
});

describe('built-ins', () => {
  const from = Date.UTC(2024, 0, 1, 0, 0, 0);
  const scope = scopeOf({}, { intervalMs: 30_000, fromMs: from, toMs: from + 6 * 3_600_000 + 400 });

  it('replaces interval and range variables', () => {
    expect(interpolate('rate(x[$__interval])', scope)).toBe('rate(x[30s])');
    expect(interpolate('$__interval_ms', scope)).toBe('30000');
    expect(interpolate('rate(x[$__rate_interval])', scope)).toBe('rate(x[1m])');
    expect(interpolate('increase(x[$__range])', scope)).toBe('increase(x[21600s])');
    expect(interpolate('$__range_s $__range_ms', scope)).toBe('21600 21600400');
    expect(interpolate('${__interval}', scope)).toBe('30s');
  });

  it('follows max($__interval + scrape, 4 × scrape) for $__rate_interval, scrape configurable', () => {
    expect(interpolate('$__rate_interval', scopeOf({}, { intervalMs: 120_000 }))).toBe('2m15s');
    expect(interpolate('$__rate_interval', scopeOf({}, { intervalMs: 1_000, scrapeIntervalMs: 5_000 }))).toBe('20s');
    expect(rateIntervalMs(60_000, 30_000)).toBe(120_000);
  });

  it('formats $__from and $__to as ms by default and with :date formats', () => {
    expect(interpolate('$__from', scope)).toBe(String(from));
    expect(interpolate('${__from:date}', scope)).toBe('2024-01-01T00:00:00.000Z');
    expect(interpolate('${__from:date:iso}', scope)).toBe('2024-01-01T00:00:00.000Z');
    expect(interpolate('${__to:date:seconds}', scope)).toBe(String(Math.round((from + 6 * 3_600_000 + 400) / 1000)));
    expect(interpolate('${__from:date:YYYY-MM}', scope)).toBe('${__from:date:YYYY-MM}');
  });

  it('leaves built-ins without inputs, and unknown ones, as written', () => {
    expect(interpolate('rate(x[$__interval]) $__range $__whatever', scopeOf({}))).toBe('rate(x[$__interval]) $__range $__whatever');
  });
});

describe('durations', () => {
  it('parses and formats Prometheus durations exactly', () => {
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('500ms')).toBe(500);
    expect(() => parseDurationMs('5 minutes')).toThrow('"5 minutes" is not a duration');
    expect(formatDurationMs(90_000)).toBe('1m30s');
    expect(formatDurationMs(604_800_000)).toBe('1w');
    expect(formatDurationMs(1_500)).toBe('1s500ms');
    expect(formatDurationMs(0)).toBe('0s');
  });

  it('rounds auto intervals to nice values as Grafana, never below autoMin', () => {
    expect(roundInterval(14)).toBe(10);
    expect(roundInterval(100_000)).toBe(300_000);
    expect(roundInterval(1e12)).toBe(31_536_000_000);
    // 1h / 30 = 2m, which rounds to 5m (everything from 1.5m up to 7.5m does).
    expect(autoInterval(3_600_000, 30, '10s')).toEqual({ intervalMs: 300_000, interval: '5m' });
    expect(autoInterval(6 * 3_600_000, 30, '10s').interval).toBe('10m');
    expect(autoInterval(300_000, 30, '10s').interval).toBe('10s');
    expect(autoInterval(300_000, 30, '').interval).toBe('10s');
    expect(autoInterval(7 * 86_400_000, 50, '1m').interval).toBe('3h');
    expect(() => autoInterval(0, 30, '10s')).toThrow('positive');
  });
});

describe('resolveCurrent', () => {
  it('keeps still-valid selections', () => {
    expect(resolveCurrent(custom('x', ['b']), opts('a', 'b'))).toEqual(['b']);
    expect(resolveCurrent(custom('x', ['a', 'gone', 'c'], { multi: true }), opts('a', 'b', 'c'))).toEqual(['a', 'c']);
  });

  it('falls back to the first option, or All when offered, or nothing', () => {
    expect(resolveCurrent(custom('x', ['gone']), opts('a', 'b'))).toEqual(['a']);
    expect(resolveCurrent(custom('x', []), opts('a', 'b'))).toEqual(['a']);
    expect(resolveCurrent(custom('x', ['gone'], { includeAll: true }), opts('a'))).toEqual([ALL_VALUE]);
    expect(resolveCurrent(custom('x', ['gone']), [])).toEqual([]);
  });

  it('keeps All while offered and drops it otherwise', () => {
    expect(resolveCurrent(custom('x', [ALL_VALUE], { includeAll: true }), opts('a'))).toEqual([ALL_VALUE]);
    expect(resolveCurrent(custom('x', [ALL_VALUE]), opts('a'))).toEqual(['a']);
  });

  it('matches a single selection by text, and keeps auto on interval variables', () => {
    expect(resolveCurrent(custom('x', ['Shown']), [{ text: 'Shown', value: 'v' }])).toEqual(['v']);
    const iv: IntervalVariable = { kind: 'interval', name: 'iv', label: '', multi: false, includeAll: false, allValue: null, current: ['auto'], options: ['1m'], auto: true, autoCount: 30, autoMin: '10s' };
    expect(resolveCurrent(iv, opts('1m'))).toEqual(['auto']);
    expect(resolveCurrent({ ...iv, auto: false }, opts('1m'))).toEqual(['1m']);
  });
});

describe('variableDependencies', () => {
  it('orders chained variables after what they refer to', () => {
    const vars: DashboardVariable[] = [
      query('instance', 'label_values(up{job="$job", env=~"${env:regex}"}, instance)'),
      query('job', 'label_values(up{env="[[env]]"}, job)'),
      custom('env', ['prod']),
      query('mount', 'label_values(node_filesystem_size_bytes{instance="$instance"}, mountpoint)', { regex: '/$env.*/' }),
    ];
    const deps = variableDependencies(vars);
    expect(deps.order).toEqual(['env', 'job', 'instance', 'mount']);
    expect(deps.dependsOn.get('instance')).toEqual(['job', 'env']);
    expect(deps.dependsOn.get('mount')).toEqual(['instance', 'env']);
    expect(deps.dependents.get('env')).toEqual(['job', 'instance', 'mount']);
    expect(deps.dependents.get('mount')).toEqual([]);
  });

  it('ignores built-ins and unknown names and reports cycles', () => {
    expect(variableDependencies([query('a', 'query_result(x[$__range]) $nope')]).order).toEqual(['a']);
    expect(() => variableDependencies([query('a', 'label_values(x{b="$b"}, a)'), query('b', 'label_values(x{a="$a"}, b)')])).toThrow(VariableCycleError);
    expect(() => variableDependencies([query('a', 'label_values(x{b="$b"}, a)'), query('b', 'label_values(x{a="$a"}, b)')])).toThrow('a → b → a');
    expect(() => variableDependencies([query('a', 'label_values(x{a="$a"}, a)')])).toThrow('a → a');
  });

  it('lists referenced variables', () => {
    expect(referencedVariables('$a ${b:csv} [[c]] $__interval $a')).toEqual(['a', 'b', 'c']);
  });
});
