import { METRIC_NAME_LABEL, type LabelMatcher } from '#pharos/metric-model';
import type { AtModifier, Expr, VectorMatching, VectorSelector } from '../ast.js';
import { formatDuration } from './duration.js';
import { goFormatG } from '../functions/annotations.js';
import { formatGoFloat, goQuote } from './go-text.js';
import { durationLiterals } from './number-literal.js';

/**
 * Prints an expression as Prometheus' `Expr.String()` does (what `/api/v1/format_query`
 * returns): `sum by (job) (rate(x[5m]))`, durations as `1h30m`, Go-quoted strings, matchers
 * sorted. Parsing the output gives the same AST back.
 */
export function formatExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'NumberLiteral':
      if (durationLiterals.has(expr) && Number.isFinite(expr.value)) {
        const ms = Math.trunc(Math.trunc(Math.abs(expr.value) * 1e9) / 1e6);
        return (expr.value < 0 ? '-' : '') + formatDuration(ms);
      }
      return formatGoFloat(expr.value);
    case 'StringLiteral':
      return goQuote(expr.value);
    case 'ParenExpr':
      return `(${formatExpr(expr.expr)})`;
    case 'UnaryExpr':
      return expr.op + formatExpr(expr.expr);
    case 'Call':
      return `${expr.func}(${expr.args.map(formatExpr).join(', ')})`;
    case 'AggregateExpr': {
      let head: string = expr.op;
      if (expr.without) head += ` without (${labelList(expr.grouping)}) `;
      else if (expr.grouping.length > 0) head += ` by (${labelList(expr.grouping)}) `;
      const param = expr.param ? `${formatExpr(expr.param)}, ` : '';
      return `${head}(${param}${formatExpr(expr.expr)})`;
    }
    case 'BinaryExpr': {
      const bool = expr.returnBool ? ' bool' : '';
      return `${formatExpr(expr.lhs)} ${expr.op}${bool}${matchingText(expr.matching)} ${formatExpr(expr.rhs)}`;
    }
    case 'VectorSelector':
      return selectorText(expr) + atText(expr.at) + extendedText(expr) + offsetText(expr.offsetMs);
    case 'MatrixSelector': {
      const vs = expr.vector;
      return `${selectorText(vs)}[${formatDuration(expr.rangeMs)}]${extendedText(vs)}${atText(vs.at)}${offsetText(vs.offsetMs)}`;
    }
    case 'SubqueryExpr': {
      const step = expr.stepMs !== 0 ? formatDuration(expr.stepMs) : '';
      return `${formatExpr(expr.expr)}[${formatDuration(expr.rangeMs)}:${step}]${atText(expr.at)}${offsetText(expr.offsetMs)}`;
    }
  }
}

function matchingText(m: VectorMatching | undefined): string {
  if (!m) return '';
  const grouped = m.card === 'many-to-one' || m.card === 'one-to-many';
  let out = '';
  if (m.labels.length > 0 || m.on || grouped) out += ` ${m.on ? 'on' : 'ignoring'} (${labelList(m.labels)})`;
  if (grouped) out += ` group_${m.card === 'many-to-one' ? 'left' : 'right'} (${labelList(m.include)})`;
  const fill = m.fill;
  if (fill !== undefined) {
    // Go prints the values with %v; equal values (NaN never is) collapse into `fill`.
    if (fill.lhs !== undefined && fill.rhs !== undefined && fill.lhs === fill.rhs) out += ` fill (${goFormatG(fill.lhs)})`;
    else {
      if (fill.lhs !== undefined) out += ` fill_left (${goFormatG(fill.lhs)})`;
      if (fill.rhs !== undefined) out += ` fill_right (${goFormatG(fill.rhs)})`;
    }
  }
  return out;
}

/** ` anchored` / ` smoothed`, where Prometheus prints them. */
function extendedText(vs: VectorSelector): string {
  if (vs.anchored === true) return ' anchored';
  if (vs.smoothed === true) return ' smoothed';
  return '';
}

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function labelList(labels: readonly string[]): string {
  return labels.map((l) => (LEGACY_NAME.test(l) ? l : goQuote(l))).join(', ');
}

/** The name and `{…}` part of a selector, without modifiers. */
function selectorText(vs: VectorSelector): string {
  const parts: string[] = [];
  for (const m of vs.matchers) {
    if (vs.name !== undefined && vs.name !== '' && m.name === METRIC_NAME_LABEL && m.type === '=' && m.value === vs.name) continue;
    parts.push(matcherText(m));
  }
  parts.sort();
  return (vs.name ?? '') + (parts.length > 0 ? `{${parts.join(',')}}` : '');
}

function matcherText(m: LabelMatcher): string {
  const name = LEGACY_NAME.test(m.name) || m.name === '' ? m.name : goQuote(m.name);
  return `${name}${m.type}${goQuote(m.value)}`;
}

function atText(at: AtModifier | undefined): string {
  if (!at) return '';
  if (at.kind === 'start') return ' @ start()';
  if (at.kind === 'end') return ' @ end()';
  const abs = Math.abs(at.ms);
  const sign = at.ms < 0 ? '-' : '';
  return ` @ ${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

function offsetText(ms: number): string {
  if (ms > 0) return ` offset ${formatDuration(ms)}`;
  if (ms < 0) return ` offset -${formatDuration(-ms)}`;
  return '';
}

const MAX_LINE = 100;

/**
 * Prometheus' `Prettify` — what `/api/v1/format_query` returns: `formatExpr`'s text, but any
 * aggregation, binary expression, call or parenthesis longer than 100 bytes is split over
 * lines, indented two spaces per level.
 */
export function prettifyExpr(expr: Expr): string {
  return pretty(expr, 0);
}

function pretty(expr: Expr, level: number): string {
  const pad = '  '.repeat(level);
  const flat = formatExpr(expr);
  const split = Buffer.byteLength(flat, 'utf8') > MAX_LINE;
  switch (expr.kind) {
    case 'AggregateExpr': {
      if (!split) return pad + flat;
      let head: string = expr.op;
      if (expr.without) head += ` without (${labelList(expr.grouping)}) `;
      else if (expr.grouping.length > 0) head += ` by (${labelList(expr.grouping)}) `;
      const param = expr.param ? `${pretty(expr.param, level + 1)},\n` : '';
      return `${pad}${head}(\n${param}${pretty(expr.expr, level + 1)}\n${pad})`;
    }
    case 'BinaryExpr': {
      if (!split) return pad + flat;
      const bool = expr.returnBool ? ' bool' : '';
      return `${pretty(expr.lhs, level + 1)}\n${pad}${expr.op}${bool}${matchingText(expr.matching)}\n${pretty(expr.rhs, level + 1)}`;
    }
    case 'Call':
      if (!split) return pad + flat;
      return `${pad}${expr.func}(\n${expr.args.map((a) => pretty(a, level + 1)).join(',\n')}\n${pad})`;
    case 'ParenExpr':
      if (!split) return pad + flat;
      return `${pad}(\n${pretty(expr.expr, level + 1)}\n${pad})`;
    case 'SubqueryExpr': {
      // Prometheus indents neither an unsplit subquery nor its suffix.
      if (!split) return flat;
      const step = expr.stepMs !== 0 ? formatDuration(expr.stepMs) : '';
      return `${pretty(expr.expr, level)}[${formatDuration(expr.rangeMs)}:${step}]${atText(expr.at)}${offsetText(expr.offsetMs)}`;
    }
    case 'UnaryExpr':
      return `${pad}${expr.op}${pretty(expr.expr, level).trim()}`;
    default:
      return pad + flat;
  }
}
