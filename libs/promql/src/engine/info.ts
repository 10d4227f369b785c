import { METADATA_LABEL_NAMES, compileMatcher, METRIC_NAME_LABEL, type LabelMatcher, type Labels } from '#pharos/metric-model';
import type { Call, VectorSelector } from '../ast.js';
import type { Evaluator } from './evaluator.js';
import { formatLabels, getLabel, labelsKey, setLabel } from './labels.js';
import { OutputSet } from './output-set.js';
import { referenceOf, unwrapParens } from './preprocess.js';
import { evalError } from './query-context.js';
import { evalSampleTimestamps, fetchSeries } from './selectors.js';
import { HIST_POINT, NO_POINT, type RawSeries, type StepSeries } from './step-values.js';

/**
 * `info(v, {data label selector})` (experimental in Prometheus 3, `promql/info.go`): enriches
 * each series of `v` with the data labels of the info series (`target_info` unless the selector
 * names others) that share its `instance` and `job`, taking at each step the newest info
 * sample within the lookback, from the same reference time (`@`/offset) as `v`'s selectors.
 */
const TARGET_INFO = 'target_info';
const IDENTIFYING = ['instance', 'job'] as const;
const METADATA = new Set(METADATA_LABEL_NAMES);

export async function evalInfo(ev: Evaluator, call: Call): Promise<StepSeries[]> {
  const { ctx, grid } = ev;
  const { options } = ctx;
  const arg = unwrapParens(call.args[0]!);
  const reference = referenceOf(arg, options.queryStart, options.queryEnd);
  const base = await ev.vector(arg);

  // Data label matchers by name; the name matchers choose the info metrics.
  const dataMatchers = new Map<string, LabelMatcher[]>();
  let nameMatchers: LabelMatcher[] = [];
  const selector = call.args[1] === undefined ? undefined : (unwrapParens(call.args[1]) as VectorSelector);
  if (selector !== undefined) {
    for (const m of selector.matchers) {
      dataMatchers.set(m.name, [...(dataMatchers.get(m.name) ?? []), m]);
      if (m.name === METRIC_NAME_LABEL) nameMatchers.push(m);
    }
  } else {
    nameMatchers = [{ name: METRIC_NAME_LABEL, type: '=', value: TARGET_INFO }];
  }
  const effective = effectiveNameMatchers(nameMatchers);
  const nameTests = effective.map((m) => compileMatcher(m));
  // Info series among the input are passed through, not enriched.
  const ignored = base.map((s) => {
    const name = getLabel(s.labels, METRIC_NAME_LABEL);
    return nameTests.every((test) => test(name));
  });
  dataMatchers.delete(METRIC_NAME_LABEL);
  const plainDataMatchers = [...dataMatchers.values()].flat();

  // Fetch the info series of the identifying label values the input has.
  const infoSeries: RawSeries[] = [];
  const at = reference?.atMs;
  const offset = reference?.offsetMs ?? 0;
  for (const identifying of identifyingMatcherSets(base, ignored)) {
    const first = (at ?? grid.start) - offset;
    const last = (at ?? grid.end) - offset;
    infoSeries.push(
      ...(await fetchSeries(ctx, {
        selector: { kind: 'VectorSelector', matchers: [...identifying, ...plainDataMatchers, ...effective], offsetMs: offset, pos: call.pos },
        start: first - options.lookbackMs + 1,
        end: last,
        rangeMs: 0,
        stepMs: grid.interval,
        enclosing: 'info',
      })),
    );
  }
  for (const s of infoSeries) {
    if (s.histTimestamps.length > 0) throw evalError(`this should be an info metric, with float samples: ${formatLabels(s.labels)}`);
  }
  // The value of each info point is the time of the info sample it came from.
  const info = await evalSampleTimestamps(ctx, ev.stats, infoSeries, grid, offset, at);
  const infoSig = info.map((s) => signatureFor(getLabel(s.labels, METRIC_NAME_LABEL), s.labels));
  const infoNames = [...new Set(info.map((s) => getLabel(s.labels, METRIC_NAME_LABEL)))];
  const baseSigs = base.map((s) => infoNames.map((name) => signatureFor(name, s.labels)));
  const allMatchEmpty = plainDataMatchers.every((m) => compileMatcher(m)(''));

  const out = new OutputSet(grid.numSteps);
  const newest = new Map<string, number>();
  for (let step = 0; step < grid.numSteps; step++) {
    const pause = ctx.poll(base.length + info.length + 1);
    if (pause !== undefined) await pause;
    if (!base.some((s) => s.kinds[step] !== NO_POINT)) continue;
    newest.clear();
    info.forEach((s, i) => {
      if (s.kinds[step] === NO_POINT) return;
      const sig = infoSig[i]!;
      const existing = newest.get(sig);
      if (existing === undefined) {
        newest.set(sig, i);
        return;
      }
      const existingT = Math.trunc(info[existing]!.floats[step]!);
      const t = Math.trunc(s.floats[step]!);
      if (existingT < t) newest.set(sig, i);
      else if (existingT === t) {
        throw evalError(
          `found duplicate series for info metric: existing ${formatLabels(info[existing]!.labels)} @ ${existingT}, new ${formatLabels(s.labels)} @ ${t}`,
        );
      }
    });
    base.forEach((s, bi) => {
      const kind = s.kinds[step];
      if (kind === NO_POINT) return;
      const h = kind === HIST_POINT ? s.hists![step] : undefined;
      if (ignored[bi]) {
        out.add(out.seriesFor(s.labels), step, s.floats[step]!, h);
        return;
      }
      let added: Labels = [];
      let matched = 0;
      for (const sig of baseSigs[bi]!) {
        const ii = newest.get(sig);
        if (ii === undefined) continue;
        matched++;
        const labels = info[ii]!.labels;
        for (let k = 0; k < labels.length; k += 2) {
          const name = labels[k]!;
          const value = labels[k + 1]!;
          if (METADATA.has(name)) continue;
          if (dataMatchers.size > 0 && !dataMatchers.has(name)) continue;
          const have = getLabel(added, name);
          if (have !== '' && have !== value) throw evalError(`conflicting label: ${name}`);
          if (getLabel(s.labels, name) !== '') continue;
          added = setLabel(added, name, value);
        }
      }
      // Without a match, a data matcher that needs a value drops the series.
      if (matched === 0 && !allMatchEmpty) return;
      let labels = s.labels;
      for (let k = 0; k < added.length; k += 2) labels = setLabel(labels, added[k]!, added[k + 1]!);
      out.add(out.seriesFor(labels, labelsKey(labels)), step, s.floats[step]!, h);
    });
  }
  return out.series;
}

/** The info metric name plus the identifying labels the series has. */
function signatureFor(name: string, labels: Labels): string {
  let sig = name;
  for (const id of IDENTIFYING) sig += `\u0000${getLabel(labels, id)}`;
  return sig;
}

/** With no `=`/`=~` name matcher, info metrics are `*_info` ones; with none at all, `target_info`. */
function effectiveNameMatchers(matchers: LabelMatcher[]): LabelMatcher[] {
  if (matchers.some((m) => m.type === '=' || m.type === '=~')) return matchers;
  if (matchers.length > 0) return [{ name: METRIC_NAME_LABEL, type: '=~', value: '.+_info' }, ...matchers];
  return [{ name: METRIC_NAME_LABEL, type: '=', value: TARGET_INFO }];
}

/**
 * One matcher set per combination of identifying labels present on the input, matching the
 * values seen (absent labels match empty), sorted as Prometheus sorts them.
 */
function identifyingMatcherSets(base: readonly StepSeries[], ignored: readonly boolean[]): LabelMatcher[][] {
  // Bit 1: job present, bit 2: instance present (Prometheus' order).
  const groups = new Map<number, [Set<string>, Set<string>]>();
  base.forEach((s, i) => {
    if (ignored[i]) return;
    const instance = getLabel(s.labels, 'instance');
    const job = getLabel(s.labels, 'job');
    const presence = (job !== '' ? 1 : 0) | (instance !== '' ? 2 : 0);
    if (presence === 0) return;
    let g = groups.get(presence);
    if (g === undefined) {
      g = [new Set(), new Set()];
      groups.set(presence, g);
    }
    if (instance !== '') g[0].add(instance);
    if (job !== '') g[1].add(job);
  });
  return [...groups.keys()]
    .sort((a, b) => a - b)
    .map((presence) => {
      const g = groups.get(presence)!;
      return IDENTIFYING.map((name, i): LabelMatcher => {
        const present = name === 'instance' ? (presence & 2) !== 0 : (presence & 1) !== 0;
        if (!present) return { name, type: '=', value: '' };
        return { name, type: '=~', value: [...g[i]!].sort().map(quoteMeta).join('|') };
      });
    });
}

/** Go's `regexp.QuoteMeta`. */
function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
