import { labelValue, type Labels } from './labels.js';

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
 * Prometheus anchors regexes (`^(?:re)$`) and, since 3.0, `.` matches newlines too, which
 * the `s` flag gives. Go RE2 syntax is close to JavaScript's for the forms users write.
 */
function anchored(source: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`, 'su');
  } catch (err) {
    throw new InvalidMatcherError(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

export class InvalidMatcherError extends Error {
  override readonly name = 'InvalidMatcherError';
}
