import type { LabelMatcher } from '#pharos/metric-model';

/**
 * The PromQL syntax tree Pharos evaluates: our own types, built from the tree that
 * Prometheus' lezer grammar (`@prometheus-io/lezer-promql`) produces, and modelled on
 * Prometheus' `promql/parser/ast.go` so that its semantics carry over one to one.
 *
 * Durations and timestamps are integer milliseconds. Every node carries the character range
 * it came from, for error messages and `parse_query`.
 */
export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr;

/** The four value types of PromQL, as Prometheus names them in errors and API responses. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface PositionRange {
  /** Offset of the first character, 0-based. */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
}

interface Node {
  readonly pos: PositionRange;
}

export interface NumberLiteral extends Node {
  readonly kind: 'NumberLiteral';
  readonly value: number;
}

export interface StringLiteral extends Node {
  readonly kind: 'StringLiteral';
  readonly value: string;
}

/** `@ <timestamp>`, `@ start()` or `@ end()`. */
export type AtModifier =
  | { readonly kind: 'timestamp'; readonly ms: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'end' };

export interface VectorSelector extends Node {
  readonly kind: 'VectorSelector';
  /**
   * The metric name when written outside the braces, as Prometheus records it; a quoted name
   * inside the braces (`{"my.metric"}`) only becomes a `__name__` matcher.
   */
  readonly name?: string;
  /** All matchers, including `__name__="<name>"` (last, as in Prometheus) when a name was given. */
  readonly matchers: readonly LabelMatcher[];
  /** `offset` in ms; negative offsets look forward. 0 when absent. */
  readonly offsetMs: number;
  readonly at?: AtModifier;
  /**
   * Prometheus 3's extended range selectors (always on since 3.16): `x[5m] anchored` adds the
   * last sample at or before the window start (within the lookback) as the window's left edge;
   * `x[5m] smoothed` interpolates values at both edges, and `x smoothed` interpolates the
   * instant value between the samples around each step. At most one of them is set.
   */
  readonly anchored?: boolean;
  readonly smoothed?: boolean;
}

export interface MatrixSelector extends Node {
  readonly kind: 'MatrixSelector';
  readonly vector: VectorSelector;
  readonly rangeMs: number;
}

export interface SubqueryExpr extends Node {
  readonly kind: 'SubqueryExpr';
  readonly expr: Expr;
  readonly rangeMs: number;
  /** Resolution; 0 when omitted (`[5m:]`), meaning the engine's default evaluation interval. */
  readonly stepMs: number;
  readonly offsetMs: number;
  readonly at?: AtModifier;
}

export interface Call extends Node {
  readonly kind: 'Call';
  /** Function name as written; `holt_winters` is kept and resolved by the function table. */
  readonly func: string;
  readonly args: readonly Expr[];
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values'
  | 'limitk'
  | 'limit_ratio';

export interface AggregateExpr extends Node {
  readonly kind: 'AggregateExpr';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** The parameter of `topk`, `bottomk`, `quantile`, `count_values`, `limitk`, `limit_ratio`. */
  readonly param?: Expr;
  readonly grouping: readonly string[];
  /** `without (…)` rather than `by (…)`. */
  readonly without: boolean;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
/** Native-histogram trim operators: `</` keeps the observations below the bound, `>/` those above. */
export type TrimOp = '</' | '>/';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp | TrimOp;

export type VectorMatchCardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  readonly card: VectorMatchCardinality;
  /** `on (…)` when true, `ignoring (…)` when false (also the default, with no labels). */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** The extra labels of `group_left (…)` / `group_right (…)`. */
  readonly include: readonly string[];
  /**
   * `fill(v)`, `fill_left(v)`, `fill_right(v)` (Prometheus' experimental binop fill modifiers):
   * the value that stands in for a missing sample on that side; absent when not written.
   */
  readonly fill?: VectorMatchFill;
}

/** Fill values of a binary operation, per side; `undefined` leaves unmatched samples out. */
export interface VectorMatchFill {
  readonly lhs: number | undefined;
  readonly rhs: number | undefined;
}

export interface BinaryExpr extends Node {
  readonly kind: 'BinaryExpr';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** `bool` modifier of a comparison. */
  readonly returnBool: boolean;
  /** Present when both sides are instant vectors. */
  readonly matching?: VectorMatching;
}

export interface UnaryExpr extends Node {
  readonly kind: 'UnaryExpr';
  readonly op: '-' | '+';
  readonly expr: Expr;
}

export interface ParenExpr extends Node {
  readonly kind: 'ParenExpr';
  readonly expr: Expr;
}
