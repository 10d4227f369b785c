import type { Labels } from '#pharos/metric-model';
import type { Call } from '../ast.js';
import type { FunctionArgValue, GridArgValue, VectorCallContext, VectorFunctionImpl } from '../functions/contract.js';
import type { Evaluator } from './evaluator.js';
import { labelsKey } from './labels.js';
import { OutputSet } from './output-set.js';
import { HIST_POINT, NO_POINT, type EvalValue, type StepSeries } from './step-values.js';
import type { Sample } from './values.js';

const SORT_FUNCTIONS = new Set(['sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc']);

/**
 * Calls a per-step function of the table (`abs`, `histogram_quantile`, `label_replace`,
 * `sort`, …): its arguments are evaluated over all steps once, then at each step the function
 * gets that step's samples and builds its output samples. Output order at the first step is
 * kept, so `sort*` results keep their order in instant queries.
 */
export async function callVectorFunction(ev: Evaluator, call: Call, impl: VectorFunctionImpl): Promise<StepSeries[]> {
  const args: EvalValue[] = [];
  for (const arg of call.args) args.push(await ev.eval(arg));
  const { ctx, grid } = ev;
  if (SORT_FUNCTIONS.has(call.func) && grid.numSteps > 1) {
    ctx.annotations.warn('PromQL warning: sort is ineffective for range queries since results are always ordered by labels', call.pos);
  }
  const out = new OutputSet(grid.numSteps);
  if (impl.evaluateGrid !== undefined) {
    const gridArgs: GridArgValue[] = [];
    let weight = grid.numSteps;
    for (const v of args) {
      if (v.type === 'matrix') break;
      if (v.type === 'vector') weight += v.series.length * grid.numSteps;
      gridArgs.push(v);
    }
    if (gridArgs.length === args.length) {
      const pause = ctx.poll(weight);
      if (pause !== undefined) await pause;
      if (impl.evaluateGrid(gridArgs, { numSteps: grid.numSteps, annotations: ctx.annotations, call, out })) return out.series;
    }
  }
  // Functions often return the input's label arrays (or the same derived array each step).
  const byIdentity = new Map<Labels, StepSeries>();
  const stepArgs = new Array<FunctionArgValue>(args.length);
  let weight = 1;
  for (const v of args) if (v.type === 'vector') weight += v.series.length;
  const callCtx: { -readonly [K in keyof VectorCallContext]: VectorCallContext[K] } = { t: 0, annotations: ctx.annotations, call };
  for (let step = 0; step < grid.numSteps; step++) {
    const pause = ctx.poll(weight);
    if (pause !== undefined) await pause;
    const t = ev.stepTime(step);
    for (let a = 0; a < args.length; a++) {
      const v = args[a]!;
      switch (v.type) {
        case 'scalar':
          stepArgs[a] = { type: 'scalar', value: v.values[step]! };
          break;
        case 'string':
          stepArgs[a] = { type: 'string', value: v.value };
          break;
        case 'vector':
          stepArgs[a] = { type: 'vector', vector: samplesAt(v.series, step, t) };
          break;
        case 'matrix':
          throw new Error(`function ${call.func} got a range vector where it takes a per-step argument`);
      }
    }
    callCtx.t = t;
    const result = impl.evaluate(stepArgs, callCtx);
    for (const sample of result) {
      let target = byIdentity.get(sample.labels);
      if (target === undefined) {
        target = out.seriesFor(sample.labels, labelsKey(sample.labels));
        byIdentity.set(sample.labels, target);
      }
      out.add(target, step, sample.f, sample.h);
    }
  }
  return out.series;
}

/** The samples of a vector value at one step, stamped with the step time. */
export function samplesAt(series: readonly StepSeries[], step: number, t: number): Sample[] {
  const out: Sample[] = [];
  for (const s of series) {
    const kind = s.kinds[step];
    if (kind === NO_POINT) continue;
    if (kind === HIST_POINT) out.push({ labels: s.labels, t, f: 0, h: s.hists![step]! });
    else out.push({ labels: s.labels, t, f: s.floats[step]! });
  }
  return out;
}
