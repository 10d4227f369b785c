import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationLimitsRule } from './operation-limits.js';

const schema = buildSchema(`
  type Node { id: ID!, child: Node, children: [Node!]! }
  type Result { warnings: [String!]! }
  type Query { node: Node, rangeQuery(q: String!): Result, other: Int }
`);

const check = (query: string, maxDepth = 4, maxComplexity = 120) =>
  validate(schema, parse(query), [...specifiedRules, operationLimitsRule({ maxDepth, maxComplexity })]).map((e) => ({
    code: e.extensions['code'],
    message: e.message,
  }));

describe('operationLimitsRule', () => {
  it('accepts an operation at the depth limit and refuses one deeper', () => {
    expect(check('{ node { child { child { id } } } }')).toEqual([]);
    expect(check('query Q { node { child { child { child { id } } } } }')).toEqual([{ code: 'QUERY_TOO_DEEP', message: 'operation "Q" is 5 levels deep; at most 4 are allowed' }]);
  });

  it('expands fragments and inline fragments when measuring', () => {
    const q = 'fragment A on Node { child { ...B } } fragment B on Node { child { ... on Node { child { id } } } } { node { ...A } }';
    expect(check(q).map((e) => e.code)).toEqual(['QUERY_TOO_DEEP']);
  });

  it('charges metric queries more than plain fields', () => {
    const two = '{ a: rangeQuery(q: "1") { warnings } b: rangeQuery(q: "2") { warnings } }';
    expect(check(two)).toEqual([]);
    const three = '{ a: rangeQuery(q: "1") { warnings } b: rangeQuery(q: "2") { warnings } c: rangeQuery(q: "3") { warnings } }';
    expect(check(three)).toEqual([{ code: 'QUERY_TOO_COMPLEX', message: 'operation costs 153; at most 120 is allowed (split the request)' }]);
  });

  it('measures a fragment spread many times once, without blowing up', () => {
    // 2^30 expanded fields if walked naively.
    const defs = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Node { ${i === 29 ? 'id' : `a: child { ...F${i + 1} } b: child { ...F${i + 1} }`} }`);
    const started = performance.now();
    const errors = check(`${defs.join(' ')} { node { ...F0 } }`, 100, 1_000_000);
    expect(performance.now() - started).toBeLessThan(500);
    expect(errors.map((e) => e.code)).toContain('QUERY_TOO_COMPLEX');
  });

  it('lets the standard introspection query through but bounds introspection depth', () => {
    expect(check(getIntrospectionQuery(), 4, 100_000)).toEqual([]);
    let chain = 'name';
    for (let i = 0; i < 9; i++) chain = `fields { type { ${chain} } }`;
    expect(check(`{ __type(name: "Query") { ${chain} } }`, 4, 100_000).map((e) => e.code)).toContain('QUERY_TOO_DEEP');
  });
});
