import type { Vector } from '../engine/values.js';
import type { FunctionArgValue, VectorCallContext, VectorFunctionImpl } from './contract.js';
import { scalarArg, vectorArg, withoutMetricName } from './vector-args.js';

const RAD_PER_DEG = Math.PI / 180;
const DEG_PER_RAD = 180 / Math.PI;

/**
 * Element-wise float functions (Prometheus' `simpleFloatFunc` family): each float sample maps
 * to one output sample without `__name__`; histogram samples are dropped.
 */

function mapFloats(input: Vector, t: number, f: (x: number) => number): Vector {
  const out: Vector = [];
  for (const s of input) {
    if (s.h) continue;
    out.push({ labels: withoutMetricName(s.labels), t, f: f(s.f) });
  }
  return out;
}

function unary(name: string, f: (x: number) => number): [string, VectorFunctionImpl] {
  return [
    name,
    {
      kind: 'vector',
      evaluate: (args: readonly FunctionArgValue[], ctx: VectorCallContext) => mapFloats(vectorArg(args, 0, name), ctx.t, f),
    },
  ];
}

function sgn(v: number): number {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;
}

function clampFn(name: string, bounds: (args: readonly FunctionArgValue[]) => [number, number]): [string, VectorFunctionImpl] {
  return [
    name,
    {
      kind: 'vector',
      evaluate: (args, ctx) => {
        const [min, max] = bounds(args);
        // Prometheus returns nothing for an empty interval.
        if (max < min) return [];
        return mapFloats(vectorArg(args, 0, name), ctx.t, (v) => Math.max(min, Math.min(max, v)));
      },
    },
  ];
}

const round: VectorFunctionImpl = {
  kind: 'vector',
  evaluate: (args, ctx) => {
    const toNearest = args.length >= 2 ? scalarArg(args, 1, 'round') : 1;
    // Dividing by the inverse is what Prometheus does (fewer representation errors for e.g. 0.1);
    // ties round up.
    const inverse = 1 / toNearest;
    return mapFloats(vectorArg(args, 0, 'round'), ctx.t, (v) => Math.floor(v * inverse + 0.5) / inverse);
  },
};

export const MATH_FUNCTIONS: ReadonlyMap<string, VectorFunctionImpl> = new Map([
  unary('abs', Math.abs),
  unary('ceil', Math.ceil),
  unary('floor', Math.floor),
  unary('exp', Math.exp),
  unary('sqrt', Math.sqrt),
  unary('ln', Math.log),
  unary('log2', Math.log2),
  unary('log10', Math.log10),
  unary('sin', Math.sin),
  unary('cos', Math.cos),
  unary('tan', Math.tan),
  unary('asin', Math.asin),
  unary('acos', Math.acos),
  unary('atan', Math.atan),
  unary('sinh', Math.sinh),
  unary('cosh', Math.cosh),
  unary('tanh', Math.tanh),
  unary('asinh', Math.asinh),
  unary('acosh', Math.acosh),
  unary('atanh', Math.atanh),
  // One multiplication by the folded constant, as Go folds `math.Pi / 180`: `v * π` first
  // would overflow near the float maximum.
  unary('rad', (v) => v * RAD_PER_DEG),
  unary('deg', (v) => v * DEG_PER_RAD),
  unary('sgn', sgn),
  clampFn('clamp', (args) => [scalarArg(args, 1, 'clamp'), scalarArg(args, 2, 'clamp')]),
  clampFn('clamp_min', (args) => [scalarArg(args, 1, 'clamp_min'), Infinity]),
  clampFn('clamp_max', (args) => [-Infinity, scalarArg(args, 1, 'clamp_max')]),
  ['round', round],
]);
