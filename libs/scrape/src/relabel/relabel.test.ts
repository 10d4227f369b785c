import { describe, expect, it } from 'vitest';
import { ScrapeConfigError } from '../errors.js';
import { compileAnchoredRE2, expandTemplate } from '#pharos/metric-model';
import { labelsToMap, parseRelabelConfigs, relabel } from './relabel.js';

/** Runs rules (YAML-shaped) over a label record; undefined when dropped. */
function run(input: Record<string, string>, rules: unknown[]): Record<string, string> | undefined {
  const m = new Map(Object.entries(input));
  if (!relabel(m, parseRelabelConfigs(rules, 'test'))) return undefined;
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('relabeling, every action (Prometheus model/relabel semantics)', () => {
  const base = { a: 'foo', b: 'bar', c: 'baz' };
  it.each<[string, Record<string, string>, unknown[], Record<string, string> | undefined]>([
    ['replace with a capture group', base, [{ source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch${1}-ch${1}' }], { ...base, d: 'choo-choo' }],
    ['replace joins sources with the separator', base, [{ source_labels: ['a', 'b'], separator: '|', regex: '(.*)\\|(.*)', target_label: 'd', replacement: '$2-$1' }], { ...base, d: 'bar-foo' }],
    ['replace does nothing without a match', base, [{ source_labels: ['a'], regex: 'x(.*)', target_label: 'd' }], base],
    ['regex is anchored at both ends', base, [{ source_labels: ['a'], regex: 'o+', target_label: 'd' }], base],
    ['replace to empty deletes the label', base, [{ source_labels: ['a'], regex: 'foo', target_label: 'b', replacement: '' }], { a: 'foo', c: 'baz' }],
    ['replace with the target label from a template', base, [{ source_labels: ['a'], regex: '(f)(.*)', target_label: 'x_${2}', replacement: '$1' }], { ...base, x_oo: 'f' }],
    ['constant to a label (fast path on empty source)', base, [{ target_label: 'env', replacement: 'prod' }], { ...base, env: 'prod' }],
    ['$1x names group "1x", which is empty', base, [{ source_labels: ['a'], regex: '(.*)', target_label: 'd', replacement: '$1x' }], base],
    ['named groups', base, [{ source_labels: ['a'], regex: '(?P<first>.)(?P<rest>.*)', target_label: 'd', replacement: '${rest}$first' }], { ...base, d: 'oof' }],
    ['keep keeps a match', base, [{ source_labels: ['a'], regex: 'foo', action: 'keep' }], base],
    ['keep drops a non-match', base, [{ source_labels: ['a'], regex: 'f', action: 'keep' }], undefined],
    ['keep on a missing label matches the empty string', base, [{ source_labels: ['z'], regex: '', action: 'keep' }], base],
    ['drop drops a match', base, [{ source_labels: ['c'], regex: 'ba.', action: 'drop' }], undefined],
    ['drop keeps a non-match', base, [{ source_labels: ['c'], regex: 'no', action: 'drop' }], base],
    ['keepequal keeps when equal', { a: 'x', b: 'x' }, [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }], { a: 'x', b: 'x' }],
    ['keepequal drops when different', base, [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }], undefined],
    ['dropequal drops when equal', { a: 'x', b: 'x' }, [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }], undefined],
    ['dropequal keeps when different', base, [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }], base],
    ['hashmod (Prometheus reference value)', base, [{ source_labels: ['c'], target_label: 'd', modulus: 1000, action: 'hashmod' }], { ...base, d: '976' }],
    ['hashmod of text with a newline', { a: 'foo\nbar' }, [{ source_labels: ['a'], target_label: 'b', modulus: 1000, action: 'hashmod' }], { a: 'foo\nbar', b: '734' }],
    ['labelmap copies matching names', { __meta_x: 'y', __meta_z: 'w', a: 'b' }, [{ regex: '__meta_(.*)', action: 'labelmap' }], { __meta_x: 'y', __meta_z: 'w', a: 'b', x: 'y', z: 'w' }],
    ['labelmap with a replacement template', { foo: '1' }, [{ regex: '(f)(o+)', replacement: '${2}_$1', action: 'labelmap' }], { foo: '1', oo_f: '1' }],
    ['labeldrop', { a: '1', b1: '2', b2: '3' }, [{ regex: 'b.*', action: 'labeldrop' }], { a: '1' }],
    ['labelkeep', { a: '1', b1: '2', b2: '3' }, [{ regex: 'b.*', action: 'labelkeep' }], { b1: '2', b2: '3' }],
    ['lowercase', { a: 'AbC' }, [{ source_labels: ['a'], target_label: 'a', action: 'lowercase' }], { a: 'abc' }],
    ['uppercase', { a: 'AbC' }, [{ source_labels: ['a'], target_label: 'b', action: 'uppercase' }], { a: 'AbC', b: 'ABC' }],
    ['actions are case-insensitive', base, [{ source_labels: ['a'], regex: 'foo', action: 'DROP' }], undefined],
    ['rules apply in order', base, [{ target_label: 'x', replacement: '1' }, { source_labels: ['x'], regex: '1', action: 'drop' }], undefined],
    ['(?i) flag and RE2 classes', { a: 'FOO-12' }, [{ source_labels: ['a'], regex: '(?i)foo-[[:digit:]]+', action: 'keep' }], { a: 'FOO-12' }],
    ['(?i) lasts across an alternation', { a: 'B' }, [{ source_labels: ['a'], regex: 'x(?i)a|b', action: 'keep' }], { a: 'B' }],
    ['dot matches a newline', { a: 'x\ny' }, [{ source_labels: ['a'], regex: 'x.y', action: 'keep' }], { a: 'x\ny' }],
    ['\\Q…\\E is literal', { a: 'a.b*' }, [{ source_labels: ['a'], regex: '\\Qa.b*\\E', action: 'keep' }], { a: 'a.b*' }],
    ['RE2 \\s is ASCII only', { a: 'a\u00a0b' }, [{ source_labels: ['a'], regex: 'a\\sb', action: 'keep' }], undefined],
    ['a literal brace and escaped punctuation', { a: 'x{y}_' }, [{ source_labels: ['a'], regex: 'x{y}\\_', action: 'keep' }], { a: 'x{y}_' }],
  ])('%s', (_name, input, rules, expected) => {
    expect(run(input, rules)).toEqual(expected);
  });

  it.each<[unknown, RegExp]>([
    [{ action: 'bogus' }, /unknown relabel action "bogus"/],
    [{ action: 'hashmod', target_label: 'x' }, /requires non-zero modulus/],
    [{ action: 'replace', target_label: '' }, /requires 'target_label'/],
    [{ action: 'lowercase', source_labels: ['a'] }, /requires 'target_label'/],
    [{ action: 'uppercase', target_label: 'x', replacement: 'y' }, /'replacement' can not be set/],
    [{ action: 'keepequal', target_label: 'x', regex: 'a' }, /requires only 'source_labels'/],
    [{ action: 'labeldrop', regex: 'a', source_labels: ['b'] }, /requires only 'regex'/],
    [{ action: 'labelkeep', regex: 'a', target_label: 'b' }, /requires only 'regex'/],
    [{ regex: '(a' }, /missing closing \)|error parsing regexp/],
    [{ regex: '(a)\\1' }, /invalid escape sequence/],
    [{ regex: '(?=a)' }, /invalid or unsupported Perl syntax/],
    [{ regex: 'a{1001}' }, /invalid repeat count/],
    [{ unknown_key: 1 }, /unknown key "unknown_key"/],
  ])('refuses %j', (rule, message) => {
    expect(() => parseRelabelConfigs([rule], 'job.relabel_configs')).toThrow(ScrapeConfigError);
    expect(() => parseRelabelConfigs([rule], 'job.relabel_configs')).toThrow(message);
  });

  it('expands templates as Go\'s Regexp.Expand', () => {
    const re = compileAnchoredRE2('(?P<x>a)(b)');
    const m = re.regex.exec('ab')!;
    expect(expandTemplate('$1-${2}-$x-${x}-$$-$-${', m, re.groupNames)).toBe('a-b-a-a-$-$-${');
    expect(labelsToMap(['a', '1']).get('a')).toBe('1');
  });
});
