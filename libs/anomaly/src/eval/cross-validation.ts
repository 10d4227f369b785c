import { normaliseScore, optimiseThreshold, scoreCorpus } from '../nab/optimise.js';
import type { ScoredFile } from '../nab/optimise.js';
import { PROFILE_NAMES } from '../nab/profiles.js';
import type { ProfileName } from '../nab/profiles.js';
import type { NabCorpus } from './eval-nab.js';

/** NAB score per profile (100 perfect, 0 the null detector). */
export type ProfileScores = Record<ProfileName, number>;

/** The NAB category of a corpus file: the first folder of its path (`realAWSCloudwatch/x.csv` → `realAWSCloudwatch`). */
export function nabCategory(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

/**
 * Held-out score of one detector's anomaly scores: each fold is scored at the
 * thresholds optimised on every other file, the raw scores of all folds are
 * summed and normalised over the whole corpus (the same 100/0 scale as an
 * in-sample score). `foldOf` names each file's fold; by default its NAB
 * category (leave one category out, "LOCO").
 *
 * Why: NAB's scoreboard optimises one threshold per detector and profile on
 * the very files it reports, which flatters a detector whose threshold is
 * fragile; a threshold that must transfer to unseen kinds of series is what a
 * deployment (and NAB's held-back files) will see.
 */
export function crossValidatedScore(
  corpus: NabCorpus,
  anomalyScores: readonly ArrayLike<number>[],
  foldOf: (file: string) => string = nabCategory,
): ProfileScores {
  const scored = toScoredFiles(corpus, anomalyScores);
  const folds = foldIndices(corpus, foldOf);
  const out = {} as ProfileScores;
  for (const p of PROFILE_NAMES) {
    const profile = corpus.profiles[p];
    let raw = 0;
    for (const members of folds.values()) {
      const inFold = new Set(members);
      const rest = scored.filter((_, i) => !inFold.has(i));
      const held = members.map((i) => scored[i]!);
      // A single-fold corpus has nothing to learn a threshold from: no detections.
      const threshold = rest.length === 0 ? Number.POSITIVE_INFINITY : optimiseThreshold(rest, profile).threshold;
      raw += scoreCorpus(held, threshold, profile).score;
    }
    out[p] = normaliseScore(raw, corpus.windowCount, profile);
  }
  return out;
}

/**
 * Nested cross-validation of a choice among candidate settings: for each fold,
 * the candidate with the highest cross-validated standard score on the *other*
 * folds is picked (the inner loop again leaves one of them out), and the fold
 * is scored with that candidate at thresholds optimised on the other folds.
 * The result estimates how well the whole procedure "pick the best setting on
 * what you have" generalises, which a plain held-out score of the candidate
 * picked on all files does not (that choice saw every fold).
 *
 * `candidates` maps each setting's name to its anomaly scores (one array per
 * corpus file, in corpus order). Returns the held-out score per profile and
 * which candidate each fold chose.
 */
export function nestedCrossValidatedScore(
  corpus: NabCorpus,
  candidates: Readonly<Record<string, readonly ArrayLike<number>[]>>,
  foldOf: (file: string) => string = nabCategory,
): { readonly scores: ProfileScores; readonly chosen: Readonly<Record<string, string>> } {
  const names = Object.keys(candidates);
  if (names.length === 0) throw new RangeError('nestedCrossValidatedScore: no candidates');
  const scoredBy = new Map(names.map((n) => [n, toScoredFiles(corpus, candidates[n]!)]));
  const folds = foldIndices(corpus, foldOf);
  const chosen: Record<string, string> = {};
  const raw = { standard: 0, reward_low_FP_rate: 0, reward_low_FN_rate: 0 } as ProfileScores;
  for (const [fold, members] of folds) {
    const inFold = new Set(members);
    const otherFolds = [...folds].filter(([f]) => f !== fold);
    // Inner loop: each candidate's held-out standard score over the other folds.
    let best = names[0]!;
    let bestInner = Number.NEGATIVE_INFINITY;
    for (const name of names) {
      const scored = scoredBy.get(name)!;
      const profile = corpus.profiles.standard;
      let inner = 0;
      for (const [, innerMembers] of otherFolds) {
        const innerSet = new Set(innerMembers);
        const train = scored.filter((_, i) => !inFold.has(i) && !innerSet.has(i));
        const threshold = train.length === 0 ? Number.POSITIVE_INFINITY : optimiseThreshold(train, profile).threshold;
        inner += scoreCorpus(innerMembers.map((i) => scored[i]!), threshold, profile).score;
      }
      if (inner > bestInner) {
        bestInner = inner;
        best = name;
      }
    }
    chosen[fold] = best;
    const scored = scoredBy.get(best)!;
    for (const p of PROFILE_NAMES) {
      const profile = corpus.profiles[p];
      const train = scored.filter((_, i) => !inFold.has(i));
      const threshold = train.length === 0 ? Number.POSITIVE_INFINITY : optimiseThreshold(train, profile).threshold;
      raw[p] += scoreCorpus(members.map((i) => scored[i]!), threshold, profile).score;
    }
  }
  const scores = {} as ProfileScores;
  for (const p of PROFILE_NAMES) scores[p] = normaliseScore(raw[p], corpus.windowCount, corpus.profiles[p]);
  return { scores, chosen };
}

function toScoredFiles(corpus: NabCorpus, anomalyScores: readonly ArrayLike<number>[]): ScoredFile[] {
  if (anomalyScores.length !== corpus.series.length) {
    throw new Error(`expected scores for ${corpus.series.length} files, got ${anomalyScores.length}`);
  }
  return corpus.series.map((s, i) => ({ labels: s.labels, anomalyScores: anomalyScores[i]! }));
}

/** File indices per fold, folds in order of first appearance. */
function foldIndices(corpus: NabCorpus, foldOf: (file: string) => string): Map<string, number[]> {
  const folds = new Map<string, number[]>();
  corpus.series.forEach((s, i) => {
    const f = foldOf(s.file);
    const list = folds.get(f);
    if (list === undefined) folds.set(f, [i]);
    else list.push(i);
  });
  return folds;
}
