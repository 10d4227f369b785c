import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { FloatArrayScalar, GridValuesScalar, type GridSource, HistogramBucketsScalar, LabelSetScalar, PromFloatScalar } from './scalars.js';

/**
 * Schema types of metric data. They only declare the schema: resolvers return plain objects of
 * these shapes (see metric-mapping.ts), with Float64Arrays left as they came from the engine.
 */

@ObjectType('HistogramPoint', { description: 'A native histogram at one time.' })
export class HistogramPointType {
  @Field(() => Float, { description: 'Milliseconds since the epoch.' })
  t!: number;
  @Field(() => PromFloatScalar)
  count!: number;
  @Field(() => PromFloatScalar)
  sum!: number;
  @Field(() => HistogramBucketsScalar)
  buckets!: unknown[];
}

@ObjectType('Series', { description: 'One series of a range result: points as parallel arrays, ready for a chart.' })
export class SeriesType {
  @Field(() => LabelSetScalar)
  labels!: Record<string, string>;
  @Field(() => FloatArrayScalar, { description: 'Times of the float points, milliseconds since the epoch.' })
  timestamps!: Float64Array;
  @Field(() => FloatArrayScalar, { description: 'Float values, parallel to timestamps.' })
  values!: Float64Array;
  @Field(() => [HistogramPointType], { description: 'Native histogram points, in time order (empty for float series).' })
  histograms!: HistogramPointType[];
  @Field(() => GridValuesScalar, {
    nullable: true,
    description:
      'Range results only: the float values on the step grid (null for missing steps), so a chart needs no timestamps: half the payload of timestamps + values. Null for instant results.',
  })
  gridValues!: GridSource | null;
}

@ObjectType('Sample', { description: 'One element of an instant vector.' })
export class SampleType {
  @Field(() => LabelSetScalar)
  labels!: Record<string, string>;
  @Field(() => Float, { description: 'Milliseconds since the epoch.' })
  t!: number;
  @Field(() => PromFloatScalar, { nullable: true, description: 'The float value; null when the sample is a histogram.' })
  value!: number | null;
  @Field(() => HistogramPointType, { nullable: true })
  histogram!: HistogramPointType | null;
}

export enum ResultKind {
  VECTOR = 'vector',
  MATRIX = 'matrix',
  SCALAR = 'scalar',
  STRING = 'string',
}
registerEnumType(ResultKind, { name: 'ResultKind', description: 'The PromQL type of an instant query result.' });

@ObjectType('InstantQueryResult')
export class InstantQueryResultType {
  @Field(() => ResultKind)
  resultType!: ResultKind;
  @Field(() => [SampleType], { description: 'The samples of a vector result (empty otherwise).' })
  samples!: SampleType[];
  @Field(() => [SeriesType], { description: 'The series of a matrix result (a range selector; empty otherwise).' })
  series!: SeriesType[];
  @Field(() => PromFloatScalar, { nullable: true, description: 'The value of a scalar result.' })
  scalar!: number | null;
  @Field(() => String, { nullable: true, description: 'The value of a string result.' })
  string!: string | null;
  @Field(() => Float, { description: 'Evaluation time, milliseconds since the epoch.' })
  t!: number;
  @Field(() => [String])
  warnings!: string[];
  @Field(() => [String])
  infos!: string[];
}

@ObjectType('RangeQueryResult')
export class RangeQueryResultType {
  @Field(() => [SeriesType])
  series!: SeriesType[];
  @Field(() => [String])
  warnings!: string[];
  @Field(() => [String])
  infos!: string[];
}

@ObjectType('MetricMetadata', { description: 'Metadata of a metric family, as last received.' })
export class MetricMetadataType {
  @Field(() => String)
  metric!: string;
  @Field(() => String)
  type!: string;
  @Field(() => String)
  help!: string;
  @Field(() => String)
  unit!: string;
}

export enum LiveUpdateKind {
  FULL = 'FULL',
  APPEND = 'APPEND',
}
registerEnumType(LiveUpdateKind, {
  name: 'LiveUpdateKind',
  description: 'FULL: the whole window; APPEND: points from the previous update\'s last step on (a point at a time the client holds replaces it).',
});

@ObjectType('LiveRangeUpdate', { description: 'One push of a live range query.' })
export class LiveRangeUpdateType {
  @Field(() => LiveUpdateKind)
  kind!: LiveUpdateKind;
  @Field(() => Float, { description: 'First step evaluated in this update, ms since the epoch.' })
  startMs!: number;
  @Field(() => Float, { description: 'Last step evaluated in this update, ms since the epoch.' })
  endMs!: number;
  @Field(() => [SeriesType], { description: 'Series with points in [startMs, endMs]; series without new points are left out of APPEND updates.' })
  series!: SeriesType[];
  @Field(() => Int, { description: 'Refresh ticks skipped since the previous update because the client had not consumed it.' })
  skippedTicks!: number;
  @Field(() => [String])
  warnings!: string[];
}
