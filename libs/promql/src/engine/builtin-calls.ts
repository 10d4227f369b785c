import { isMetadataLabel, type Labels, type LabelMatcher } from '#pharos/metric-model';
import type { Call, Expr } from '../ast.js';
import type { Evaluator } from './evaluator.js';
import { dropMetricName, setLabel } from './labels.js';
import { resolveAt, unwrapParens } from './preprocess.js';
import { evalInfo } from './info.js';
import { windowsPresent } from './range-eval.js';
import { evalSampleTimestamps } from './selectors.js';
import { FLOAT_POINT, NO_POINT, newStepSeries, setFloat, type EvalValue, type StepSeries } from './step-values.js';

/**
 * The functions the evaluator implements itself because they need more than one step's
 * samples or the evaluation grid: `time`, `pi`, `scalar`, `vector`, `absent`,
 * `absent_over_time`, `timestamp` and `info`.
 */
const BUILTINS = new Set([
  'time',
  'pi',
  'scalar',
  'vector',
  'absent',
  'absent_over_time',
  'timestamp',
  'info',
  'start',
  'end',
  'range',
  'step',
  'min_of',
  'max_of',
]);

export function isBuiltin(name: string): boolean {
  return BUILTINS.has(name);
}

export async function evalBuiltin(ev: Evaluator, call: Call): Promise<EvalValue> {
  const { grid } = ev;
  const n = grid.numSteps;
  switch (call.func) {
    case 'time': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = ev.stepTime(i) / 1000;
      return { type: 'scalar', values };
    }
    case 'pi':
      return { type: 'scalar', values: new Float64Array(n).fill(Math.PI) };
    case 'start':
    case 'end':
    case 'range':
    case 'step': {
      // Constants of the query (Prometheus 3.16 experimental), in seconds.
      const { queryStart, queryEnd, queryStepMs } = ev.ctx.options;
      const value =
        call.func === 'start' ? queryStart / 1000 : call.func === 'end' ? queryEnd / 1000 : call.func === 'range' ? (queryEnd - queryStart) / 1000 : queryStepMs / 1000;
      return { type: 'scalar', values: new Float64Array(n).fill(value) };
    }
    case 'min_of':
    case 'max_of': {
      const a = await ev.scalar(call.args[0]!);
      const b = await ev.scalar(call.args[1]!);
      const pick = call.func === 'min_of' ? Math.min : Math.max;
      return { type: 'scalar', values: a.map((x, i) => pick(x, b[i]!)) };
    }
    case 'scalar': {
      const input = await ev.vector(call.args[0]!);
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        // Exactly one float sample gives its value; none or several give NaN. Histograms do not count.
        let found = 0;
        let v = NaN;
        for (const s of input) {
          if (s.kinds[i] !== FLOAT_POINT) continue;
          found++;
          v = s.floats[i]!;
        }
        values[i] = found === 1 ? v : NaN;
      }
      return { type: 'scalar', values };
    }
    case 'vector': {
      const values = await ev.scalar(call.args[0]!);
      const out = newStepSeries([], n);
      for (let i = 0; i < n; i++) setFloat(out, i, values[i]!);
      return { type: 'vector', series: [out] };
    }
    case 'absent': {
      const input = await ev.vector(call.args[0]!);
      const out = newStepSeries(absentLabels(call.args[0]!), n);
      for (let i = 0; i < n; i++) if (!input.some((s) => s.kinds[i] !== NO_POINT)) setFloat(out, i, 1);
      return { type: 'vector', series: out.points > 0 ? [out] : [] };
    }
    case 'absent_over_time': {
      const input = await ev.rangeInput(call.args[0]!, call.func);
      const present = await windowsPresent(ev.ctx, input, grid);
      const out = newStepSeries(absentLabels(call.args[0]!), n);
      for (let i = 0; i < n; i++) if (present[i] === 0) setFloat(out, i, 1);
      return { type: 'vector', series: out.points > 0 ? [out] : [] };
    }
    case 'timestamp':
      return { type: 'vector', series: await timestampOf(ev, call.args[0]!) };
    case 'info':
      return { type: 'vector', series: await evalInfo(ev, call) };
    default:
      throw new Error(`${call.func} is not a builtin`);
  }
}

/**
 * `timestamp(v)`: the time of each sample in seconds. On a selector this is the stored sample's
 * time (Prometheus evaluates it on the selector directly); on anything else, the step time.
 */
async function timestampOf(ev: Evaluator, arg: Expr): Promise<StepSeries[]> {
  const e = unwrapParens(arg);
  const n = ev.grid.numSteps;
  if (e.kind === 'VectorSelector') {
    const { options } = ev.ctx;
    const at = resolveAt(e.at, options.queryStart, options.queryEnd);
    const series = await ev.fetchForSelector(e, 0, 'timestamp');
    // Prometheus sets the offset to `t - @` for each step here, dropping the written offset.
    const offset = at === undefined ? e.offsetMs : 0;
    const stamped = await evalSampleTimestamps(ev.ctx, ev.stats, series, ev.grid, offset, at);
    return stamped.map((s) => {
      for (let i = 0; i < n; i++) if (s.kinds[i] === FLOAT_POINT) s.floats[i] = s.floats[i]! / 1000;
      s.labels = dropMetricName(s.labels);
      return s;
    });
  }
  const input = await ev.vector(e);
  return input.map((s) => {
    const out = newStepSeries(dropMetricName(s.labels), n);
    for (let i = 0; i < n; i++) if (s.kinds[i] !== NO_POINT) setFloat(out, i, ev.stepTime(i) / 1000);
    return out;
  });
}

/**
 * Labels of the `absent*` output: the equality matchers of the selector argument, except the
 * name, the type-and-unit metadata labels (`schema.IsMetadataLabel`) and any label matched more
 * than once (`createLabelsForAbsentFunction`).
 */
function absentLabels(arg: Expr): Labels {
  const e = unwrapParens(arg);
  let matchers: readonly LabelMatcher[];
  if (e.kind === 'VectorSelector') matchers = e.matchers;
  else if (e.kind === 'MatrixSelector') matchers = e.vector.matchers;
  else return [];
  let labels: Labels = [];
  const has = new Set<string>();
  for (const m of matchers) {
    if (isMetadataLabel(m.name)) continue;
    if (m.type === '=' && !has.has(m.name)) {
      labels = setLabel(labels, m.name, m.value);
      has.add(m.name);
    } else {
      labels = setLabel(labels, m.name, '');
    }
  }
  return labels;
}
