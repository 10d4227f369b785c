import { describe, expect, it } from 'vitest';
import { compileMatcher, InvalidMatcherError, type LabelMatcher } from './matcher.js';
import { compileAnchoredRE2, RE2SyntaxError } from './re2.js';
import { expandTemplate } from './re2-expand.js';

const matches = (pattern: string, value: string): boolean => compileAnchoredRE2(pattern).regex.test(value);

describe('RE2 translation', () => {
  it('anchors at both ends and lets . match newlines, as Prometheus 3 compiles ^(?s:re)$', () => {
    expect(matches('foo', 'foo')).toBe(true);
    expect(matches('foo', 'xfoo')).toBe(false);
    expect(matches('foo', 'foox')).toBe(false);
    expect(matches('a|b', 'ab')).toBe(false);
    expect(matches('a.c', 'a\nc')).toBe(true);
  });

  it('applies (?i) to the rest of its group, across alternation', () => {
    expect(matches('(?i)foo', 'FoO')).toBe(true);
    // RE2: `a(?i)b|c` is `a(?i:b)` or `(?i:c)`.
    expect(matches('a(?i)b|c', 'aB')).toBe(true);
    expect(matches('a(?i)b|c', 'C')).toBe(true);
    expect(matches('a(?i)b|c', 'ac')).toBe(false);
    expect(matches('A(?i)b|c', 'ab')).toBe(false);
    expect(matches('(x(?i)y)z', 'xYz')).toBe(true);
    expect(matches('(x(?i)y)z', 'xYZ')).toBe(false);
    expect(matches('(?i:a)b', 'Ab')).toBe(true);
    expect(matches('(?i:a)b', 'AB')).toBe(false);
  });

  it('rewrites RE2-only syntax', () => {
    expect(matches('\\Q.*\\E', '.*')).toBe(true);
    expect(matches('\\Q.*\\E', 'ab')).toBe(false);
    expect(matches('[[:digit:]]+', '123')).toBe(true);
    expect(matches('\\pL+', 'Ωmega')).toBe(true);
    expect(matches('\\p{Greek}+', 'Ωω')).toBe(true);
    expect(matches('\\s', '\u00a0')).toBe(false);
    expect(matches('\\s', '\t')).toBe(true);
    expect(matches('\\Aab\\z', 'ab')).toBe(true);
    expect(matches('\\101', 'A')).toBe(true);
    expect(matches('x{2}', 'xx')).toBe(true);
    expect(matches('a{', 'a{')).toBe(true);
    expect(matches('\\x{41}', 'A')).toBe(true);
    // Repeated assertions are valid RE2 (and match the empty string there).
    expect(matches('^*a$+', 'a')).toBe(true);
    expect(matches('\\b+a\\b', 'a')).toBe(true);
  });

  it('keeps RE2 group names and numbers for $-expansion, including ungreedy (?U)', () => {
    const re = compileAnchoredRE2('(?P<x>a)(b)(?<1y>c)?');
    const m = re.regex.exec('ab')!;
    expect(expandTemplate('$1-${2}-$x-${x}-$$-$-${', m, re.groupNames)).toBe('a-b-a-a-$-$-${');
    expect(expandTemplate('[$1x][${1y}][$3][$9]', m, re.groupNames)).toBe('[][][][]');
    const lazy = compileAnchoredRE2('(?U)(a+)(a*)');
    expect(expandTemplate('$1|$2', lazy.regex.exec('aaa')!, lazy.groupNames)).toBe('a|aa');
  });

  it.each([
    ['(', 'missing closing ): `(`'],
    ['a)', 'unexpected ): `a)`'],
    ['[a', 'missing closing ]: `[a`'],
    ['*a', 'missing argument to repetition operator: `*`'],
    ['(?i)+', 'missing argument to repetition operator: `+`'],
    ['a|{2}', 'missing argument to repetition operator: `{2}`'],
    ['a{1001}', 'invalid repeat count: `{1001}`'],
    ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['\\q', 'invalid escape sequence: `\\q`'],
    ['a\\', 'trailing backslash at end of expression: ``'],
    ['(?P<a>x)(?P<a>y)', 'duplicate capture group name: `a`'],
    ['a**', 'invalid nested repetition operator: `**`'],
    ['a+?+', 'invalid nested repetition operator: `+?+`'],
    ['x{2}{3}', 'invalid nested repetition operator: `{2}{3}`'],
    ['(?P<n>a', 'missing closing ): `(?P<n>a`'],
  ])('refuses %s as RE2 does', (pattern, message) => {
    expect(() => compileAnchoredRE2(pattern)).toThrow(RE2SyntaxError);
    expect(() => compileAnchoredRE2(pattern)).toThrow(message);
  });
});

describe('label matchers with RE2 semantics', () => {
  const m = (type: LabelMatcher['type'], value: string) => compileMatcher({ name: 'l', type, value });

  it('accept RE2 syntax JavaScript lacks', () => {
    expect(m('=~', '(?i)get|post')('GET')).toBe(true);
    expect(m('=~', '(?i)get|post')('Post')).toBe(true);
    expect(m('!~', '(?i)get')('GeT')).toBe(false);
    expect(m('=~', '[[:alpha:]]+_\\d+')('abc_12')).toBe(true);
    expect(m('=~', '.*')('multi\nline')).toBe(true);
    expect(m('=~', 'ab')('xaby')).toBe(false);
  });

  it('refuse an invalid regex with a clear error naming it', () => {
    expect(() => m('=~', 'a(?=b)')).toThrow(/^error parsing regexp: invalid or unsupported Perl syntax: `\(\?=`$/);
    expect(() => m('!~', '(')).toThrow(InvalidMatcherError);
    expect(() => m('!~', '(')).toThrow('error parsing regexp: missing closing ): `(`');
  });
});
