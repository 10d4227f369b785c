/**
 * Log-parsing accuracy metrics exactly as the Loghub benchmarks define them (see the dataset
 * README of `shared/datasets/loghub2k`): grouping accuracy (ICSE 2019 "parsing accuracy"),
 * pairwise F1 (logparser's "F1_measure") and message-level parsing accuracy (Loghub-2.0).
 *
 * Groups are given as one key per line (any string: a pattern id, an EventId, a template);
 * only equality of keys matters.
 */
export interface ParsingScores {
  /** Lines whose predicted group is exactly their true group, over all lines. */
  readonly groupingAccuracy: number;
  readonly precision: number;
  readonly recall: number;
  /** Harmonic mean of pairwise precision and recall. */
  readonly f1: number;
  /** Lines whose template equals the true template character for character, over all lines; NaN when no templates were given. */
  readonly parsingAccuracy: number;
}

function checkLengths(truth: readonly string[], predicted: readonly string[]): void {
  if (truth.length !== predicted.length) {
    throw new Error(`metrics: ${truth.length} ground-truth lines but ${predicted.length} predictions`);
  }
  if (truth.length === 0) throw new Error('metrics: no lines to score');
}

/** Indexes the distinct keys of a labelling: returns one small integer per line. */
function denseIds(keys: readonly string[]): { ids: Int32Array; count: number } {
  const index = new Map<string, number>();
  const ids = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    let id = index.get(keys[i]!);
    if (id === undefined) {
      id = index.size;
      index.set(keys[i]!, id);
    }
    ids[i] = id;
  }
  return { ids, count: index.size };
}

/**
 * Grouping accuracy: a line is correct when the set of lines sharing its predicted group equals
 * the set sharing its true group. Equivalent test: the predicted group holds lines of a single
 * true group and has the same size as that true group.
 */
export function groupingAccuracy(truth: readonly string[], predicted: readonly string[]): number {
  checkLengths(truth, predicted);
  const t = denseIds(truth);
  const p = denseIds(predicted);
  const trueSize = new Int32Array(t.count);
  const predSize = new Int32Array(p.count);
  const predTrue = new Int32Array(p.count).fill(-1); // the one true group of a predicted group, -2 when mixed
  for (let i = 0; i < truth.length; i++) {
    const ti = t.ids[i]!;
    const pi = p.ids[i]!;
    trueSize[ti]!++;
    predSize[pi]!++;
    if (predTrue[pi] === -1) predTrue[pi] = ti;
    else if (predTrue[pi] !== ti) predTrue[pi] = -2;
  }
  let correct = 0;
  for (let g = 0; g < p.count; g++) {
    const tg = predTrue[g]!;
    if (tg >= 0 && trueSize[tg] === predSize[g]) correct += predSize[g]!;
  }
  return correct / truth.length;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

/** Pairwise precision, recall and F1 over all pairs of lines (logparser's evaluator). */
export function pairwiseF1(truth: readonly string[], predicted: readonly string[]): { precision: number; recall: number; f1: number } {
  checkLengths(truth, predicted);
  const t = denseIds(truth);
  const p = denseIds(predicted);
  const trueSize = new Float64Array(t.count);
  const predSize = new Float64Array(p.count);
  const joint = new Map<number, number>();
  for (let i = 0; i < truth.length; i++) {
    const ti = t.ids[i]!;
    const pi = p.ids[i]!;
    trueSize[ti]!++;
    predSize[pi]!++;
    const k = pi * t.count + ti;
    joint.set(k, (joint.get(k) ?? 0) + 1);
  }
  let truePairs = 0;
  let predPairs = 0;
  let both = 0;
  for (const n of trueSize) truePairs += pairs(n);
  for (const n of predSize) predPairs += pairs(n);
  for (const n of joint.values()) both += pairs(n);
  // logparser's convention for groups of single lines: no pairs means precision/recall of 0 is
  // undefined; a labelling with no pairs on either side is a perfect match of singletons.
  const precision = predPairs === 0 ? (truePairs === 0 ? 1 : 0) : both / predPairs;
  const recall = truePairs === 0 ? (predPairs === 0 ? 1 : 0) : both / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** Parsing accuracy: lines whose template string equals the true template exactly, over all lines. */
export function parsingAccuracy(truthTemplates: readonly string[], predictedTemplates: readonly string[]): number {
  checkLengths(truthTemplates, predictedTemplates);
  let correct = 0;
  for (let i = 0; i < truthTemplates.length; i++) if (truthTemplates[i] === predictedTemplates[i]) correct++;
  return correct / truthTemplates.length;
}

/** All three metrics at once. */
export function scoreParsing(
  truthGroups: readonly string[],
  predictedGroups: readonly string[],
  truthTemplates?: readonly string[],
  predictedTemplates?: readonly string[],
): ParsingScores {
  const { precision, recall, f1 } = pairwiseF1(truthGroups, predictedGroups);
  return {
    groupingAccuracy: groupingAccuracy(truthGroups, predictedGroups),
    precision,
    recall,
    f1,
    parsingAccuracy:
      truthTemplates && predictedTemplates ? parsingAccuracy(truthTemplates, predictedTemplates) : Number.NaN,
  };
}
