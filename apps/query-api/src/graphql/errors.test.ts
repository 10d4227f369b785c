import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VersionConflictError } from '#pharos/metadata';
import { PromQLError, PromQLParseError, parsePromQL } from '#pharos/promql';
import { BadArgumentError, ERROR_CODES, toGraphqlError } from './errors.js';

const code = (err: unknown) => toGraphqlError(err).extensions['code'];

describe('toGraphqlError', () => {
  it('maps engine failures to stable codes', () => {
    let parseError: unknown;
    try {
      parsePromQL('sum(');
    } catch (err) {
      parseError = err;
    }
    expect(parseError).toBeInstanceOf(PromQLParseError);
    expect(code(parseError)).toBe('BAD_QUERY');
    expect(code(new PromQLError('bad_data', 'invalid parameter "query": x'))).toBe('BAD_QUERY');
    expect(code(new PromQLError('timeout', 'query timed out in expression evaluation'))).toBe('TIMEOUT');
    expect(code(new PromQLError('canceled', 'query was canceled in expression evaluation'))).toBe('CANCELED');
    expect(code(new PromQLError('execution', 'query processing would load too many samples into memory in query execution'))).toBe('LIMIT_EXCEEDED');
    expect(code(new PromQLError('execution', 'the query hit the max number of series limit (limit: 3 series)'))).toBe('LIMIT_EXCEEDED');
    expect(code(new PromQLError('bad_data', 'the query time range exceeds the limit (query length: 9s, limit: 1s)'))).toBe('LIMIT_EXCEEDED');
    expect(code(new PromQLError('execution', 'vector cannot contain metrics with the same labelset'))).toBe('EXECUTION_FAILED');
    expect(code(new BadArgumentError('stepMs must be positive'))).toBe('BAD_QUERY');
    expect(code(new Error('disk on fire'))).toBe('INTERNAL');
  });

  it('keeps the current version on a conflict', () => {
    const e = toGraphqlError(new VersionConflictError('dashboard changed', 7));
    expect(e.extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: 7 });
  });

  it('every code is documented in docs/graphql/README.md', () => {
    const readme = readFileSync(new URL('../../../../docs/graphql/README.md', import.meta.url), 'utf8');
    for (const c of ERROR_CODES) expect(readme, c).toContain(`\`${c}\``);
  });
});
