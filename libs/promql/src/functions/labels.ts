import { compileAnchoredRE2, expandTemplate, labelValue, type CompiledRE2 } from '#pharos/metric-model';
import { PromQLError } from '../engine/query-api.js';
import type { Vector } from '../engine/values.js';
import type { VectorFunctionImpl } from './contract.js';
import { stringArg, vectorArg, withLabel } from './vector-args.js';

/**
 * `label_replace` and `label_join`. They only rewrite labels: values, histograms and
 * `__name__` pass through (unless `__name__` is the destination). Two outputs with the same
 * label set are the evaluator's to reject, as for every function.
 */

/** Prometheus 3 accepts any non-empty UTF-8 label name. */
function isValidLabelName(name: string): boolean {
  return name.length > 0 && !LONE_SURROGATE.test(name);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The shared RE2 translation caches by source text: dashboards repeat the same few regexes. */
function compileCached(regex: string): CompiledRE2 {
  try {
    return compileAnchoredRE2(regex);
  } catch {
    throw new PromQLError('execution', `invalid regular expression in label_replace(): ${regex}`);
  }
}

const labelReplace: VectorFunctionImpl = {
  kind: 'vector',
  evaluate: (args) => {
    const dst = stringArg(args, 1, 'label_replace');
    const replacement = stringArg(args, 2, 'label_replace');
    const src = stringArg(args, 3, 'label_replace');
    const regexText = stringArg(args, 4, 'label_replace');
    const { regex, groupNames } = compileCached(regexText);
    if (!isValidLabelName(dst)) {
      throw new PromQLError('execution', `invalid destination label name in label_replace(): ${dst}`);
    }
    const out: Vector = [];
    for (const s of vectorArg(args, 0, 'label_replace')) {
      const m = regex.exec(labelValue(s.labels, src));
      // Only a matching source changes the series.
      if (m === null) out.push(s);
      else out.push({ ...s, labels: withLabel(s.labels, dst, expandTemplate(replacement, m, groupNames)) });
    }
    return out;
  },
};

const labelJoin: VectorFunctionImpl = {
  kind: 'vector',
  evaluate: (args) => {
    const dst = stringArg(args, 1, 'label_join');
    const separator = stringArg(args, 2, 'label_join');
    const sources: string[] = [];
    for (let i = 3; i < args.length; i++) {
      const src = stringArg(args, i, 'label_join');
      if (!isValidLabelName(src)) throw new PromQLError('execution', `invalid source label name in label_join(): ${src}`);
      sources.push(src);
    }
    if (!isValidLabelName(dst)) throw new PromQLError('execution', `invalid destination label name in label_join(): ${dst}`);
    return vectorArg(args, 0, 'label_join').map((s) => ({
      ...s,
      labels: withLabel(s.labels, dst, sources.map((n) => labelValue(s.labels, n)).join(separator)),
    }));
  },
};

export const LABEL_FUNCTIONS: ReadonlyMap<string, VectorFunctionImpl> = new Map([
  ['label_replace', labelReplace],
  ['label_join', labelJoin],
]);
