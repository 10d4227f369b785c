import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Detector, SeriesRange } from '../detectors/detector.js';
import { loadNabCsv, loadProfiles, loadWindows } from '../nab/loader.js';
import { countWindows, normaliseScore, optimiseThreshold, scoreCorpus } from '../nab/optimise.js';
import type { ScoredFile } from '../nab/optimise.js';
import { NAB_PROFILES, PROFILE_NAMES } from '../nab/profiles.js';
import type { CostProfile, ProfileName } from '../nab/profiles.js';
import { labelRows } from '../nab/scorer.js';
import type { RowLabels } from '../nab/scorer.js';

/**
 * Builds a fresh detector for one file. NAB allows the file's value range as
 * the only prior knowledge, so it is passed in; factories may ignore it.
 */
export type DetectorFactory = (range: SeriesRange) => Detector;

/** Inputs of {@link evaluateNab}. */
export interface NabEvaluationInput {
  /** NAB's `data/` folder; every CSV below it is scored. */
  readonly dataDir: string;
  /** `labels/combined_windows.json`; MUST hold an entry for every CSV under `dataDir`. */
  readonly windowsFile: string;
  /** `config/profiles.json`; NAB v1.1's published weights (NAB_PROFILES) when absent. */
  readonly profilesFile?: string;
  readonly detectors: Readonly<Record<string, DetectorFactory>>;
  /** Keeps only the files (paths relative to `dataDir`) for which it returns true; all by default. */
  readonly include?: (file: string) => boolean;
  /**
   * Fixed thresholds per detector and profile. Where one is missing the
   * threshold is optimised over the corpus, as NAB does for its scoreboard.
   */
  readonly thresholds?: Readonly<Record<string, Partial<Record<ProfileName, number>>>>;
}

/** One detector's result on the corpus. */
export interface NabDetectorResult {
  /** Reported NAB score (100 perfect, 0 null detector) per profile. */
  readonly normalised: Readonly<Record<ProfileName, number>>;
  /** Raw corpus score per profile. */
  readonly raw: Readonly<Record<ProfileName, number>>;
  /** Threshold used per profile (given or optimised). */
  readonly thresholds: Readonly<Record<ProfileName, number>>;
  /** Whether each threshold was optimised here rather than given. */
  readonly optimised: Readonly<Record<ProfileName, boolean>>;
}

/** Result of {@link evaluateNab}. */
export interface NabEvaluation {
  /** Scored files, relative to `dataDir` with `/` separators, in byte order. */
  readonly files: readonly string[];
  readonly windowCount: number;
  readonly rowCount: number;
  readonly detectors: Readonly<Record<string, NabDetectorResult>>;
}

/** CSV files under `dir`, relative with `/` separators, sorted by byte order as NAB's corpus is. */
export function listNabFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.csv')) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Feeds a series to a fresh detector in time order; each score depends only on earlier rows. */
export function runDetector(detector: Detector, timestamps: readonly number[], values: readonly number[]): Float64Array {
  const scores = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const { score } = detector.update(timestamps[i]!, values[i]!);
    if (!(score >= 0 && score <= 1)) throw new RangeError(`row ${i}: score ${score} outside [0, 1]`);
    scores[i] = score;
  }
  return scores;
}

/** One NAB file, loaded and labelled. */
export interface NabCorpusSeries {
  /** Path relative to the data folder, `/` separators. */
  readonly file: string;
  readonly timestamps: number[];
  readonly values: number[];
  /** The file's min and max: the one prior NAB allows a detector. */
  readonly range: SeriesRange;
  readonly labels: RowLabels;
}

/** A NAB folder loaded once, to be scored by any number of detectors. */
export interface NabCorpus {
  readonly series: readonly NabCorpusSeries[];
  readonly profiles: Readonly<Record<ProfileName, CostProfile>>;
  readonly windowCount: number;
  readonly rowCount: number;
}

/** Loads and labels every CSV under `dataDir` (those `include` keeps). */
export function loadNabCorpus(input: Pick<NabEvaluationInput, 'dataDir' | 'windowsFile' | 'profilesFile' | 'include'>): NabCorpus {
  const windows = loadWindows(input.windowsFile);
  const profiles = input.profilesFile === undefined ? NAB_PROFILES : loadProfiles(input.profilesFile);
  const files = listNabFiles(input.dataDir).filter(input.include ?? (() => true));
  if (files.length === 0) throw new Error(`no CSV files under ${input.dataDir}`);
  const series = files.map((file) => {
    const fileWindows = windows.get(file);
    if (fileWindows === undefined) throw new Error(`no windows entry for ${file} in ${input.windowsFile}`);
    const { timestamps, values } = loadNabCsv(join(input.dataDir, file));
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { file, timestamps, values, range: { min, max }, labels: labelRows(timestamps, fileWindows) };
  });
  const rowCount = series.reduce((n, s) => n + s.values.length, 0);
  const windowCount = countWindows(series.map((s) => ({ labels: s.labels, anomalyScores: [] })));
  return { series, profiles, windowCount, rowCount };
}

/**
 * Scores one detector's anomaly scores (one array per corpus file, in corpus
 * order) under the three profiles: with the given thresholds where there are
 * some, else with the corpus-optimised ones as NAB's scoreboard does.
 */
export function scoreNabRun(
  corpus: NabCorpus,
  anomalyScores: readonly ArrayLike<number>[],
  thresholds?: Partial<Record<ProfileName, number>>,
): NabDetectorResult {
  if (anomalyScores.length !== corpus.series.length) {
    throw new Error(`expected scores for ${corpus.series.length} files, got ${anomalyScores.length}`);
  }
  const scored: ScoredFile[] = corpus.series.map((s, i) => ({ labels: s.labels, anomalyScores: anomalyScores[i]! }));
  const normalised = {} as Record<ProfileName, number>;
  const raw = {} as Record<ProfileName, number>;
  const used = {} as Record<ProfileName, number>;
  const optimised = {} as Record<ProfileName, boolean>;
  for (const profileName of PROFILE_NAMES) {
    const profile = corpus.profiles[profileName];
    const given = thresholds?.[profileName];
    const result = given === undefined ? optimiseThreshold(scored, profile) : scoreCorpus(scored, given, profile);
    raw[profileName] = result.score;
    used[profileName] = result.threshold;
    optimised[profileName] = given === undefined;
    normalised[profileName] = normaliseScore(result.score, corpus.windowCount, profile);
  }
  return { normalised, raw, thresholds: used, optimised };
}

/**
 * Runs every detector over every NAB file under `dataDir`, a fresh instance per
 * file, and scores the corpus under NAB's three profiles with the existing
 * scorer. Files are loaded once and shared by the detectors.
 */
export function evaluateNab(input: NabEvaluationInput): NabEvaluation {
  const corpus = loadNabCorpus(input);
  const detectors: Record<string, NabDetectorResult> = {};
  for (const [name, factory] of Object.entries(input.detectors)) {
    const scores = corpus.series.map((s) => runDetector(factory(s.range), s.timestamps, s.values));
    detectors[name] = scoreNabRun(corpus, scores, input.thresholds?.[name]);
  }
  return {
    files: corpus.series.map((s) => s.file),
    windowCount: corpus.windowCount,
    rowCount: corpus.rowCount,
    detectors,
  };
}
