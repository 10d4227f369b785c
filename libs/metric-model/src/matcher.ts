import { labelValue, type Labels } from './labels.js';
import { compileAnchoredRE2, RE2SyntaxError } from './re2.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A Prometheus label matcher. Regexes are fully anchored, as in Prometheus. */
export interface LabelMatcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/** Compiles a matcher into a predicate over a label value ('' when the label is absent). */
export function compileMatcher(matcher: LabelMatcher): (value: string) => boolean {
  switch (matcher.type) {
    case '=':
      return (v) => v === matcher.value;
    case '!=':
      return (v) => v !== matcher.value;
    case '=~': {
      const re = anchored(matcher.value);
      return (v) => re.test(v);
    }
    case '!~': {
      const re = anchored(matcher.value);
      return (v) => !re.test(v);
    }
  }
}

/** True when every matcher accepts the series' labels. */
export function matchesAll(labels: Labels, matchers: readonly LabelMatcher[]): boolean {
  for (const m of matchers) if (!compileMatcher(m)(labelValue(labels, m.name))) return false;
  return true;
}

/**
 * Prometheus compiles matcher regexes as Go RE2, anchored with dot-all (`^(?s:re)$`, since 3.0
 * `.` matches newlines too); `(?i)…`, `\Q…\E`, POSIX classes and the rest of RE2's syntax go
 * through the shared translation.
 */
function anchored(source: string): RegExp {
  try {
    return compileAnchoredRE2(source).regex;
  } catch (err) {
    if (err instanceof RE2SyntaxError) throw new InvalidMatcherError(`error parsing regexp: ${err.message}`);
    throw err;
  }
}

export class InvalidMatcherError extends Error {
  override readonly name = 'InvalidMatcherError';
}
