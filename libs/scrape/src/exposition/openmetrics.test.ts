import { describe, expect, it } from 'vitest';
import { OpenMetricsParser } from './openmetrics.js';
import { ExpositionError } from './parser.js';
import { drain } from './drain.test-support.js';

const parse = (text: string) => drain(new OpenMetricsParser(text));

describe('OpenMetrics 1.0', () => {
  it('parses metadata, units, timestamps in seconds, exemplars and _created', () => {
    const input = [
      '# HELP http_requests Requests.',
      '# TYPE http_requests counter',
      '# UNIT http_request_seconds seconds',
      'http_requests_total{code="200"} 1027 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67 1520879602.123',
      'http_requests_created{code="200"} 1520879600.5',
      'http_requests_total{code="500",} 3 # {} 1',
      '# TYPE h histogram',
      'h_bucket{le="1"} 2',
      'h_bucket{le="+Inf"} 3',
      '# TYPE s stateset',
      's{s="a"} 1',
      '{"dotted.name",a="b"} NaN',
      '# EOF',
      '',
    ].join('\n');
    const e = parse(input);
    expect(e[0]).toEqual({ kind: 'help', name: 'http_requests', text: 'Requests.' });
    expect(e[1]).toEqual({ kind: 'type', name: 'http_requests', type: 'counter' });
    expect(e[2]).toEqual({ kind: 'unit', name: 'http_request_seconds', text: 'seconds' });
    expect(e[3]).toMatchObject({ labels: { __name__: 'http_requests_total', code: '200' }, value: 1027, ts: 1520879607789 });
    expect((e[3] as unknown as { exemplar: unknown }).exemplar).toEqual({ labels: ['trace_id', 'KOO5S4vxi0o'], value: 0.67, timestampMs: 1520879602123 });
    expect(e[4]).toMatchObject({ labels: { __name__: 'http_requests_created', code: '200' }, value: 1520879600.5 });
    expect((e[5] as unknown as { exemplar: unknown }).exemplar).toEqual({ labels: [], value: 1, timestampMs: undefined });
    expect(e[7]!.labels!['le']).toBe('1.0');
    expect(e[11]!.labels).toEqual({ __name__: 'dotted.name', a: 'b' });
    expect(e).toHaveLength(12);
  });

  it.each([
    ['a 1\n', /data does not end with # EOF/],
    ['a 1', /data does not end with # EOF/],
    ['# EOF\nx 1\n', /unexpected data after # EOF/],
    ['a  1\n# EOF\n', /expected value after metric/],
    ['a 1\n\n# EOF\n', /expected a valid start token/],
    ['# comment\n# EOF\n', /expected a valid start token/],
    ['#TYPE a counter\n# EOF\n', /expected a valid start token/],
    ['a{b="c" ,d="e"} 1\n# EOF\n', /expected comma or brace close/],
    ['a{b="c"d="e"} 1\n# EOF\n', /expected comma or brace close/],
    ['a{b="c\nd"} 1\n# EOF\n', /expected label value/],
    ['# TYPE a untyped\n# EOF\n', /invalid metric type "untyped"/],
    ['# UNIT a_seconds bytes\n# EOF\n', /not a suffix/],
    ['# HELP a\n# EOF\n', /expected text in HELP/],
    ['a 1 NaN\n# EOF\n', /invalid timestamp/],
    ['a 1 # {"x"} 1\n# EOF\n', /expected label name/],
    ['a 1 #{a="b"} 1\n# EOF\n', /expected next entry after timestamp|invalid syntax/],
  ])('refuses %j', (input, message) => {
    expect(() => parse(input)).toThrow(ExpositionError);
    expect(() => parse(input)).toThrow(message);
  });
});
