import type { Expr, ValueType } from '../ast.js';
import { getFunctionSignature } from './function-signatures.js';

/** The value type an expression evaluates to, as Prometheus' `Expr.Type()`. */
export function typeOf(expr: Expr): ValueType {
  switch (expr.kind) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
    case 'AggregateExpr':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'Call':
      // The parser refuses unknown functions, so a missing signature only comes from a hand-built AST.
      return getFunctionSignature(expr.func)?.returnType ?? 'vector';
    case 'BinaryExpr':
      return typeOf(expr.lhs) === 'scalar' && typeOf(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'UnaryExpr':
    case 'ParenExpr':
      return typeOf(expr.expr);
  }
}

/** The type's name in Prometheus' documentation and error messages (`instant vector`, `range vector`). */
export function documentedType(t: ValueType | 'none'): string {
  if (t === 'vector') return 'instant vector';
  if (t === 'matrix') return 'range vector';
  return t;
}
