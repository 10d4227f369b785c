import { GraphQLError, GraphQLScalarType } from './graphql-runtime.js';

/**
 * Output scalars that keep metric data compact: one JSON array per series instead of one
 * GraphQL value per point (graphql-js completes every list item on its own, which for a
 * dashboard of 12 × 20 × 1,000 points costs more than the query), and JSON's missing
 * non-finite numbers spelled as Prometheus spells them.
 */

/** A float as JSON: a number, or "NaN", "+Inf", "-Inf". */
export function jsonFloat(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

function outputOnly(name: string): never {
  throw new GraphQLError(`${name} is an output type and cannot be given as input`);
}

export const FloatArrayScalar = new GraphQLScalarType<unknown, (number | string)[]>({
  name: 'FloatArray',
  description: 'Float64 values as one JSON array, in time order; non-finite values are the strings "NaN", "+Inf" and "-Inf".',
  serialize(value) {
    if (!(value instanceof Float64Array)) throw new GraphQLError('FloatArray expects a Float64Array');
    const out = new Array<number | string>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = value[i]!;
      out[i] = Number.isFinite(v) ? v : jsonFloat(v);
    }
    return out;
  },
  parseValue: () => outputOnly('FloatArray'),
  parseLiteral: () => outputOnly('FloatArray'),
});

export const PromFloatScalar = new GraphQLScalarType<number, number | string>({
  name: 'PromFloat',
  description: 'A float sample value: a JSON number, or "NaN", "+Inf", "-Inf".',
  serialize(value) {
    if (typeof value !== 'number') throw new GraphQLError('PromFloat expects a number');
    return jsonFloat(value);
  },
  parseValue: () => outputOnly('PromFloat'),
  parseLiteral: () => outputOnly('PromFloat'),
});

export const LabelSetScalar = new GraphQLScalarType<Record<string, string>, Record<string, string>>({
  name: 'LabelSet',
  description: 'A series\' labels as one JSON object of name to value (the metric name under "__name__").',
  serialize(value) {
    if (typeof value !== 'object' || value === null) throw new GraphQLError('LabelSet expects an object');
    return value as Record<string, string>;
  },
  parseValue: () => outputOnly('LabelSet'),
  parseLiteral: () => outputOnly('LabelSet'),
});

export const HistogramBucketsScalar = new GraphQLScalarType<unknown, unknown[]>({
  name: 'HistogramBuckets',
  description:
    'Populated buckets of a native histogram, ascending: [boundaryRule, lower, upper, count] each, boundaryRule as in Prometheus (0 open left, 1 open right, 2 open both, 3 closed both).',
  serialize(value) {
    if (!Array.isArray(value)) throw new GraphQLError('HistogramBuckets expects an array');
    return (value as (readonly number[])[]).map((b) => b.map(jsonFloat));
  },
  parseValue: () => outputOnly('HistogramBuckets'),
  parseLiteral: () => outputOnly('HistogramBuckets'),
});

/** Values to place on a step grid; built only if the scalar is serialised (the field selected). */
export interface GridSource {
  toGrid(): (number | string | null)[];
}

export const GridValuesScalar = new GraphQLScalarType<unknown, (number | string | null)[]>({
  name: 'GridValues',
  description:
    'Float values on the query\'s step grid, one per step from startMs to endMs: null where the series has no point; non-finite values as "NaN", "+Inf", "-Inf".',
  serialize(value) {
    if (typeof value !== 'object' || value === null || typeof (value as GridSource).toGrid !== 'function') throw new GraphQLError('GridValues expects a grid source');
    return (value as GridSource).toGrid();
  },
  parseValue: () => outputOnly('GridValues'),
  parseLiteral: () => outputOnly('GridValues'),
});
