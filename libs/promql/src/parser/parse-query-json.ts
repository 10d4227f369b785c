import type { LabelMatcher } from '#pharos/metric-model';
import type { AtModifier, Expr, VectorSelector } from '../ast.js';
import { getFunctionSignature } from './function-signatures.js';
import { formatGoFloat } from './go-text.js';

/** A JSON value of the `/api/v1/parse_query` tree. */
export type ParseQueryJson = null | boolean | number | string | readonly ParseQueryJson[] | { readonly [key: string]: ParseQueryJson };

/**
 * The tree Prometheus 3's `/api/v1/parse_query` returns for an expression
 * (`web/api/v1/translate_ast.go`). Keys are in Go's map order (sorted), so `JSON.stringify`
 * of the result is byte-for-byte what Prometheus sends.
 */
export function exprToParseQueryJson(expr: Expr): ParseQueryJson {
  switch (expr.kind) {
    case 'AggregateExpr':
      return {
        expr: exprToParseQueryJson(expr.expr),
        grouping: [...expr.grouping],
        op: expr.op,
        param: expr.param ? exprToParseQueryJson(expr.param) : null,
        type: 'aggregation',
        without: expr.without,
      };
    case 'BinaryExpr': {
      const m = expr.matching;
      return {
        bool: expr.returnBool,
        lhs: exprToParseQueryJson(expr.lhs),
        matching: m
          ? { card: m.card, fillValues: { lhs: m.fill?.lhs ?? null, rhs: m.fill?.rhs ?? null }, include: [...m.include], labels: [...m.labels], on: m.on }
          : null,
        op: expr.op,
        rhs: exprToParseQueryJson(expr.rhs),
        type: 'binaryExpr',
      };
    }
    case 'Call': {
      const sig = getFunctionSignature(expr.func);
      return {
        args: expr.args.map(exprToParseQueryJson),
        func: {
          argTypes: sig ? [...sig.argTypes] : [],
          name: expr.func,
          returnType: sig?.returnType ?? 'vector',
          variadic: sig?.variadic ?? 0,
        },
        type: 'call',
      };
    }
    case 'MatrixSelector': {
      const vs = expr.vector;
      return {
        anchored: vs.anchored === true,
        matchers: matchersJson(vs.matchers),
        name: vs.name ?? '',
        offset: vs.offsetMs,
        offsetExpr: null,
        range: expr.rangeMs,
        rangeExpr: null,
        smoothed: vs.smoothed === true,
        startOrEnd: startOrEnd(vs.at),
        timestamp: timestamp(vs.at),
        type: 'matrixSelector',
      };
    }
    case 'SubqueryExpr':
      return {
        expr: exprToParseQueryJson(expr.expr),
        offset: expr.offsetMs,
        offsetExpr: null,
        range: expr.rangeMs,
        rangeExpr: null,
        startOrEnd: startOrEnd(expr.at),
        step: expr.stepMs,
        stepExpr: null,
        timestamp: timestamp(expr.at),
        type: 'subquery',
      };
    case 'NumberLiteral':
      return { type: 'numberLiteral', val: formatGoFloat(expr.value) };
    case 'ParenExpr':
      return { expr: exprToParseQueryJson(expr.expr), type: 'parenExpr' };
    case 'StringLiteral':
      return { type: 'stringLiteral', val: expr.value };
    case 'UnaryExpr':
      return { expr: exprToParseQueryJson(expr.expr), op: expr.op, type: 'unaryExpr' };
    case 'VectorSelector':
      return vectorSelectorJson(expr);
  }
}

function vectorSelectorJson(vs: VectorSelector): ParseQueryJson {
  return {
    anchored: vs.anchored === true,
    matchers: matchersJson(vs.matchers),
    name: vs.name ?? '',
    offset: vs.offsetMs,
    offsetExpr: null,
    smoothed: vs.smoothed === true,
    startOrEnd: startOrEnd(vs.at),
    timestamp: timestamp(vs.at),
    type: 'vectorSelector',
  };
}

function matchersJson(matchers: readonly LabelMatcher[]): ParseQueryJson {
  return matchers.map((m) => ({ name: m.name, type: m.type, value: m.value }));
}

function startOrEnd(at: AtModifier | undefined): ParseQueryJson {
  return at?.kind === 'start' || at?.kind === 'end' ? at.kind : null;
}

function timestamp(at: AtModifier | undefined): ParseQueryJson {
  return at?.kind === 'timestamp' ? at.ms : null;
}
