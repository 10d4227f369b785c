import { describe, expect, it } from 'vitest';
import { drain } from './drain.test-support.js';
import { ExpositionError } from './parser.js';
import { PromTextParser } from './prom-text.js';

const parse = (text: string) => drain(new PromTextParser(text));

describe('Prometheus text format 0.0.4', () => {
  it('parses the shapes Prometheus accepts, with its leniencies', () => {
    const input = [
      '# HELP go_gc_duration_seconds A summary of the GC invocation durations.',
      '# \tTYPE go_gc_duration_seconds summary',
      'go_gc_duration_seconds{quantile="0"} 4.9351e-05',
      'go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05',
      'go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05',
      '# Hrandom comment starting with prefix of HELP',
      '#',
      'wind_speed{A="2",c="3"} 12345',
      '# HELP nohelp1',
      '# HELP nohelp2 ',
      'go_gc_duration_seconds { quantile = "2.0" a = "b" } 8.3835e-05',
      'some:aggregate:rate5m{a_b="c"}\t1',
      'go_goroutines 33  \t123123',
      'testmetric{label="\\"bar\\"",x="a\\\\b\\nc\\t"} 1',
      '',
      '{"my.dotted.metric", "label.with.dot"="v"} -Inf',
      'nan_metric NaN',
    ].join('\n');
    const entries = parse(input);
    expect(entries[0]).toEqual({ kind: 'help', name: 'go_gc_duration_seconds', text: 'A summary of the GC invocation durations.' });
    expect(entries[1]).toEqual({ kind: 'type', name: 'go_gc_duration_seconds', type: 'summary' });
    expect(entries[2]).toMatchObject({ series: 'go_gc_duration_seconds{quantile="0"}', labels: { __name__: 'go_gc_duration_seconds', quantile: '0.0' }, value: 4.9351e-5 });
    expect(entries[3]!.labels).toEqual({ __name__: 'go_gc_duration_seconds', quantile: '0.25' });
    expect(entries[4]!.labels).toEqual({ __name__: 'go_gc_duration_seconds', quantile: '0.9', a: 'b' });
    expect(entries[5]!.labels).toEqual({ __name__: 'wind_speed', A: '2', c: '3' });
    expect(entries[6]).toEqual({ kind: 'help', name: 'nohelp1', text: '' });
    expect(entries[7]).toEqual({ kind: 'help', name: 'nohelp2', text: '' });
    expect(entries[8]!.labels).toEqual({ __name__: 'go_gc_duration_seconds', quantile: '2.0', a: 'b' });
    expect(entries[9]!.labels).toEqual({ __name__: 'some:aggregate:rate5m', a_b: 'c' });
    expect(entries[10]).toMatchObject({ value: 33, ts: 123123 });
    expect(entries[11]!.labels).toEqual({ __name__: 'testmetric', label: '"bar"', x: 'a\\b\nc\\t' });
    expect(entries[12]!.labels).toEqual({ __name__: 'my.dotted.metric', 'label.with.dot': 'v' });
    expect(entries[12]!.value).toBe(-Infinity);
    expect(entries[13]!.value).toBeNaN();
    expect(entries).toHaveLength(14);
  });

  it('normalises le of histograms and quantile of summaries as Prometheus does', () => {
    const entries = parse('# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="1000000"} 2\nh_bucket{le="0.0005"} 3\nh_bucket{le="+Inf"} 4\nh_bucket{le="100000"} 4\n');
    expect(entries.slice(1).map((e) => e.labels!['le'])).toEqual(['1.0', '1e+06', '0.0005', '+Inf', '100000.0']);
    // Not a histogram: left as written.
    expect(parse('# TYPE g gauge\ng{le="1"} 1\n')[1]!.labels!['le']).toBe('1');
  });

  it('unescapes HELP (only \\\\ and \\n)', () => {
    expect(parse('# HELP m a\\\\b\\nc\\"d\n')[0]!.text).toBe('a\\b\nc\\"d');
  });

  it('accepts a body without a final newline', () => {
    expect(parse('a 1')).toEqual([{ kind: 'series', series: 'a', labels: { __name__: 'a' }, value: 1 }]);
  });

  it.each([
    ['a', /expected value after metric/],
    ["a{b='c'} 1\n", /expected label value/],
    ['a{b=\n', /expected label value/],
    ['a true\n', /invalid syntax/],
    ['foo 1_2\n', /unsupported character in float/],
    ['foo 0x1p-3\n', /unsupported character in float/],
    ['foo 0x10\n', /invalid syntax/],
    ['foo 1e400\n', /value out of range/],
    ['foo 0 1_2\n', /expected next entry after timestamp/],
    ['foo 0 -1\n', /expected timestamp or new record/],
    ['{a="ok"} 1', /metric name not set/],
    ['# TYPE #\n', /expected metric name after TYPE/],
    ['# HELP #\n', /expected metric name after HELP/],
    ['# TYPE m countr\n', /invalid metric type "countr"/],
    ['empty_label_name{="a"} 0', /expected label name/],
    ['{A}0', /expected equal/],
    ['a{b="1",b="2"} 1', /not unique/],
    ['m{"x"} 1', /metric name already set/],
    ['foo 1 # {a="b"} 1\n', /expected timestamp or new record/],
    ['foo 1 99999999999999999999\n', /out of range/],
  ])('refuses %j', (input, message) => {
    expect(() => parse(input)).toThrow(ExpositionError);
    expect(() => parse(input)).toThrow(message);
  });
});
