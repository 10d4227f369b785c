import { describe, expect, it } from 'vitest';
import { labelsToRecord } from '#pharos/metric-model';
import { PromQLError } from '../engine/query-api.js';
import type { Vector } from '../engine/values.js';
import { naturalLess } from './sort.js';
import { parseGoFloat } from './histogram-functions.js';
import { evalVector, hist, s, str, v, vec } from './testing.js';

const records = (out: Vector) => out.map((x) => labelsToRecord(x.labels));
const values = (out: Vector) => out.map((x) => x.f);

describe('math', () => {
  it('maps floats, drops __name__ and histograms', () => {
    const r = evalVector('abs', [v(vec([{ __name__: 'm', a: '1' }, -2], [{ __name__: 'h' }, hist({ count: 1, sum: 1 })]))]);
    expect(records(r.value)).toEqual([{ a: '1' }]);
    expect(values(r.value)).toEqual([2]);
  });

  it('round ties upwards, to a multiple', () => {
    expect(values(evalVector('round', [v(vec([{}, 2.5], [{ b: '1' }, -2.5], [{ b: '2' }, 0.15]))]).value)).toEqual([3, -2, 0]);
    expect(values(evalVector('round', [v(vec([{}, 7.3])), s(5)]).value)).toEqual([5]);
    expect(values(evalVector('round', [v(vec([{}, 0.15])), s(0.1)]).value)[0]).toBeCloseTo(0.2, 15);
  });

  it('clamp bounds, and an empty interval gives nothing', () => {
    expect(values(evalVector('clamp', [v(vec([{}, 5], [{ a: '1' }, -5])), s(0), s(1)]).value)).toEqual([1, 0]);
    expect(evalVector('clamp', [v(vec([{}, 5])), s(2), s(1)]).value).toEqual([]);
    expect(values(evalVector('clamp_min', [v(vec([{}, 5])), s(7)]).value)).toEqual([7]);
  });

  it('sgn keeps 0 and NaN, deg/rad convert', () => {
    expect(values(evalVector('sgn', [v(vec([{ a: '1' }, -3], [{ a: '2' }, 0], [{ a: '3' }, 4]))]).value)).toEqual([-1, 0, 1]);
    expect(values(evalVector('deg', [v(vec([{}, Math.PI]))]).value)).toEqual([180]);
  });
});

describe('date functions (UTC)', () => {
  // 2024-02-29T13:45:10Z, a Thursday, day 60 of a leap year.
  const t = Date.UTC(2024, 1, 29, 13, 45, 10) / 1000;

  it('read a vector of Unix seconds', () => {
    const arg = v(vec([{ __name__: 'x' }, t]));
    const get = (f: string) => values(evalVector(f, [arg]).value)[0];
    expect([get('year'), get('month'), get('day_of_month'), get('day_of_week'), get('day_of_year'), get('days_in_month'), get('hour'), get('minute')]).toEqual([
      2024, 2, 29, 4, 60, 29, 13, 45,
    ]);
    expect(records(evalVector('year', [arg]).value)).toEqual([{}]);
  });

  it('default to the evaluation time', () => {
    expect(evalVector('hour', [], t).value).toEqual([{ labels: [], t: t * 1000, f: 13 }]);
  });

  it('handle dates before the epoch and far beyond Date’s range', () => {
    expect(values(evalVector('year', [v(vec([{}, -1]))]).value)).toEqual([1969]);
    expect(values(evalVector('day_of_week', [v(vec([{}, -1]))]).value)).toEqual([3]); // 1969-12-31, a Wednesday
    // 10^15 s after the epoch is in the year 31 690 708 (365.2425-day years).
    expect(values(evalVector('year', [v(vec([{}, 1e15]))]).value)[0]).toBe(31690708);
  });
});

describe('sort functions', () => {
  const input = vec([{ __name__: 'm', i: 'a' }, 3], [{ __name__: 'm', i: 'b' }, NaN], [{ __name__: 'm', i: 'c' }, 1]);

  it('sort ascending / descending with NaN last, keeping __name__', () => {
    expect(values(evalVector('sort', [v(input)]).value)).toEqual([1, 3, NaN]);
    expect(values(evalVector('sort_desc', [v(input)]).value)).toEqual([3, 1, NaN]);
    expect(records(evalVector('sort', [v(input)]).value)[0]).toEqual({ __name__: 'm', i: 'c' });
  });

  it('natural order compares digit runs as numbers', () => {
    expect(naturalLess('a2', 'a10')).toBe(true);
    expect(naturalLess('a10', 'a2')).toBe(false);
    expect(naturalLess('x', 'y')).toBe(true);
    // Beyond int64 digit runs compare as text.
    expect(naturalLess('99999999999999999999', '100000000000000000000')).toBe(false);
  });

  it('sort_by_label orders by label values naturally, then by the whole label set', () => {
    const hosts = vec([{ host: 'n10', z: '1' }, 1], [{ host: 'n2' }, 2], [{ host: 'n10', z: '0' }, 3]);
    expect(values(evalVector('sort_by_label', [v(hosts), str('host')]).value)).toEqual([2, 3, 1]);
    expect(values(evalVector('sort_by_label_desc', [v(hosts), str('host')]).value)).toEqual([1, 3, 2]);
  });
});

describe('label_replace with Go RE2 semantics', () => {
  const input = vec([{ __name__: 'up', src: 'foo-bar' }, 1]);
  const replace = (dst: string, repl: string, src: string, re: string) =>
    records(evalVector('label_replace', [v(input), str(dst), str(repl), str(src), str(re)]).value)[0];

  it('expands $1 and ${1}, and keeps __name__', () => {
    expect(replace('dst', '$1', 'src', '(.*)-.*')).toEqual({ __name__: 'up', src: 'foo-bar', dst: 'foo' });
    expect(replace('dst', '${1}x', 'src', '(.*)-.*')?.dst).toBe('foox');
  });

  it('reads $1x as a group named "1x" (Go), not $1 then x (JavaScript)', () => {
    expect(replace('dst', '$1x', 'src', '(.*)-.*')?.dst).toBeUndefined();
  });

  it('supports named groups and $$', () => {
    expect(replace('dst', '$name$$', 'src', '(?P<name>\\w+)-.*')?.dst).toBe('foo$');
  });

  it('anchors the regex at both ends', () => {
    expect(replace('dst', 'x', 'src', 'oo')).toEqual({ __name__: 'up', src: 'foo-bar' });
    expect(replace('dst', 'x', 'src', 'f.*')?.dst).toBe('x');
  });

  it('translates RE2-only syntax: \\Q…\\E, POSIX classes, \\z', () => {
    const dotted = vec([{ v: 'a.b' }, 1], [{ v: 'axb' }, 2]);
    const out = evalVector('label_replace', [v(dotted), str('m'), str('yes'), str('v'), str('a\\Q.\\Eb')]).value;
    expect(records(out).map((r) => r['m'])).toEqual(['yes', undefined]);
    expect(replace('dst', '$1', 'src', '([[:alpha:]]+)-bar\\z')?.dst).toBe('foo');
  });

  it("uses RE2's ASCII \\s and lets . match newlines", () => {
    const ws = vec([{ v: 'a\u00a0b' }, 1], [{ v: 'a\nb' }, 2]);
    const spaced = evalVector('label_replace', [v(ws), str('m'), str('1'), str('v'), str('a\\sb')]).value;
    expect(records(spaced).map((r) => r['m'])).toEqual([undefined, '1']);
    const dotted = evalVector('label_replace', [v(ws), str('m'), str('1'), str('v'), str('a.b')]).value;
    expect(records(dotted).map((r) => r['m'])).toEqual(['1', '1']);
  });

  it('an empty replacement removes the destination label', () => {
    expect(replace('src', '', 'src', '.*')).toEqual({ __name__: 'up' });
  });

  it('rejects what RE2 rejects, and empty label names', () => {
    expect(() => replace('dst', '', 'src', '(?=foo).*')).toThrow(
      new PromQLError('execution', 'invalid regular expression in label_replace(): (?=foo).*'),
    );
    expect(() => replace('dst', '', 'src', '(a)\\1')).toThrow(PromQLError);
    expect(() => replace('', '', 'src', '.*')).toThrow(new PromQLError('execution', 'invalid destination label name in label_replace(): '));
  });
});

describe('label_join', () => {
  it('joins source values (missing ones empty) with the separator', () => {
    const input = vec([{ a: 'x', b: 'y' }, 1]);
    const out = evalVector('label_join', [v(input), str('j'), str('-'), str('a'), str('missing'), str('b')]).value;
    expect(records(out)).toEqual([{ a: 'x', b: 'y', j: 'x--y' }]);
  });
});

describe('histogram_quantile / histogram_fraction over classic buckets', () => {
  const buckets = (counts: [string, number][]) => vec(...counts.map(([le, c]): [Record<string, string>, number] => [{ __name__: 'h_bucket', job: 'j', le }, c]));

  it('interpolates within the bucket holding the rank', () => {
    // le 1: 2, le 2: 6, +Inf: 8. φ = 0.5 → rank 4, in (1, 2] holding 4: 1 + (4 - 2)/4 = 1.5.
    const b = buckets([['1', 2], ['2', 6], ['+Inf', 8]]);
    const r = evalVector('histogram_quantile', [s(0.5), v(b)]);
    expect(r.value).toEqual([{ labels: ['job', 'j'], t: 0, f: 1.5 }]);
    // φ = 0.9 → rank 7.2 in the +Inf bucket → the highest finite bound.
    expect(values(evalVector('histogram_quantile', [s(0.9), v(b)]).value)).toEqual([2]);
    // The fraction up to 1.5: (2 + 4 × 0.5) / 8.
    expect(values(evalVector('histogram_fraction', [s(0), s(1.5), v(b)]).value)).toEqual([0.5]);
  });

  it('histogram_quantiles labels each φ in OpenMetrics float form, and warns per invalid φ', () => {
    const b = buckets([['1', 2], ['2', 6], ['+Inf', 8]]);
    const r = evalVector('histogram_quantiles', [v(b), str('q'), s(0), s(0.5), s(1), s(1.5)]);
    expect(r.value.map((x) => [labelsToRecord(x.labels), x.f])).toEqual([
      [{ job: 'j', q: '0.0' }, 0],
      [{ job: 'j', q: '0.5' }, 1.5],
      [{ job: 'j', q: '1.0' }, 2],
      [{ job: 'j', q: '1.5' }, Infinity],
    ]);
    expect([...r.annotations.warnings]).toEqual(['PromQL warning: quantile value should be between 0 and 1, got 1.5']);
  });

  it('rad and deg multiply by the folded constant, so they do not overflow near the float maximum', () => {
    expect(values(evalVector('rad', [v(vec([{}, 1e308]))]).value)).toEqual([1.7453292519943295e306]);
    expect(values(evalVector('deg', [v(vec([{}, 1e306]))]).value)).toEqual([5.729577951308232e307]);
  });

  it('needs a +Inf bucket', () => {
    expect(values(evalVector('histogram_quantile', [s(0.5), v(buckets([['1', 2], ['2', 6]]))]).value)).toEqual([NaN]);
  });

  it('fixes non-monotonic buckets and says so', () => {
    const r = evalVector('histogram_quantile', [s(0.5), v(buckets([['1', 5], ['2', 3], ['+Inf', 8]]))]);
    // Monotonic envelope: 5, 5, 8 → rank 4 in the first bucket: 0 + 1 × 4/5.
    expect(values(r.value)).toEqual([0.8]);
    expect([...r.annotations.infos][0]).toMatch(/^PromQL info: input to histogram_quantile needed to be fixed for monotonicity/);
  });

  it('warns about a malformed le and about an invalid φ', () => {
    const r = evalVector('histogram_quantile', [s(2), v(buckets([['x', 1]]))]);
    expect([...r.annotations.warnings].sort()).toEqual([
      'PromQL warning: bucket label "le" is missing or has a malformed value of "x" for metric name "h_bucket"',
      'PromQL warning: quantile value should be between 0 and 1, got 2',
    ]);
  });

  it('parses le as Go does', () => {
    expect([parseGoFloat('+Inf'), parseGoFloat('1e3'), parseGoFloat('0x1p-2'), parseGoFloat('.5')]).toEqual([Infinity, 1000, 0.25, 0.5]);
    expect([parseGoFloat(''), parseGoFloat(' 1'), parseGoFloat('1e400'), parseGoFloat('0x10')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('native histogram functions', () => {
  const h = hist({ count: 8, sum: 20, pos: [1, 2], posCounts: [4, 4] });
  it('read count, sum and average, dropping __name__', () => {
    const input = v(vec([{ __name__: 'h', a: '1' }, h], [{ __name__: 'f' }, 1]));
    expect(evalVector('histogram_count', [input]).value).toEqual([{ labels: ['a', '1'], t: 0, f: 8 }]);
    expect(values(evalVector('histogram_avg', [input]).value)).toEqual([2.5]);
    expect(values(evalVector('histogram_quantile', [s(0.25), input]).value)[0]).toBeCloseTo(Math.SQRT2, 14);
  });
});
