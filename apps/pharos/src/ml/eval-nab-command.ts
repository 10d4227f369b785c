import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ENSEMBLE_ALERT_AT,
  ENSEMBLE_MISFIT_WEIGHT,
  ENSEMBLE_REST_POINTS,
  ENSEMBLE_WEIGHTS,
  OnnxAnomalyModel,
  PROFILE_NAMES,
  STATISTICAL_DETECTORS,
  crossValidatedScore,
  defaultModelPath,
  loadNabCorpus,
  parseNabCsv,
  runDetector,
  scoreNabRun,
  scoreSeriesLearned,
  type NabCorpus,
  type NabDetectorResult,
  type ProfileName,
  type ProfileScores,
} from '#pharos/anomaly';
import type { MlCommand } from './ml-cli.js';

const USAGE =
  'usage: pharos ml eval-nab --data <dir> --labels <windows.json> [--thresholds <file>] [--write-thresholds <file>] [--model <file.onnx>] [--fixture <dir>] [--cv] [--json]';

/** NAB v1.1's published scoreboard (whole 58-file corpus): standard / low FP / low FN. */
export const PUBLISHED_NAB: Readonly<Record<string, Readonly<Record<ProfileName, number>>>> = {
  ARTime: { standard: 74.9, reward_low_FP_rate: 65.1, reward_low_FN_rate: 80.4 },
  'Numenta HTM': { standard: 70.5, reward_low_FP_rate: 62.6, reward_low_FN_rate: 75.2 },
  'CAD OSE': { standard: 69.9, reward_low_FP_rate: 67.0, reward_low_FN_rate: 73.2 },
  'Random Cut Forest': { standard: 51.7, reward_low_FP_rate: 38.4, reward_low_FN_rate: 59.7 },
};

/** Name of the learned (ONNX) detector in reports. */
export const LEARNED = 'learnedOnnx';
const HTM_FIXTURE = 'numentaHTM (fixture, rescored)';

type Thresholds = Record<string, Partial<Record<ProfileName, number>>>;

/** The `--json` document's shape. */
export interface EvalNabReport {
  readonly detectors: Record<string, Record<ProfileName, number>>;
  readonly best: string;
  readonly thresholds: Record<string, Record<ProfileName, number>>;
  readonly ensemble_weights: Readonly<Record<string, number>>;
  readonly files: number;
  readonly windows: number;
  /**
   * With `--cv`: each detector's held-out score, every NAB category scored at
   * thresholds optimised on the other categories (leave one category out).
   */
  readonly cross_validated?: Record<string, Record<ProfileName, number>>;
  readonly reference: {
    readonly published: typeof PUBLISHED_NAB;
    /** Numenta HTM's own anomaly scores from the fixture, scored by this scorer on the same files; null when the fixture lacks some. */
    readonly numenta_htm_rescored: Record<ProfileName, number> | null;
    /** With `--cv`: the same, leave one category out. */
    readonly numenta_htm_cross_validated?: Record<ProfileName, number> | null;
  };
}

class UsageError extends Error {}

/**
 * `pharos ml eval-nab`: scores every detector (each alone, the ensemble, and
 * the learned ONNX model) on a folder in NAB's layout, with thresholds
 * optimised per profile over the folder or read from `--thresholds`.
 */
export const evalNabCommand: MlCommand = {
  async run(argv) {
    try {
      const report = await evalNab(argv);
      if (report === undefined) return 0;
      process.stdout.write(report.json ? JSON.stringify(report.doc) + '\n' : report.table);
      return 0;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`pharos ml eval-nab: ${message}\n${err instanceof UsageError ? USAGE + '\n' : ''}`);
      return err instanceof UsageError ? 2 : 1;
    }
  },
};

async function evalNab(argv: readonly string[]): Promise<{ json: boolean; doc: EvalNabReport; table: string } | undefined> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        data: { type: 'string' },
        labels: { type: 'string' },
        thresholds: { type: 'string' },
        'write-thresholds': { type: 'string' },
        model: { type: 'string' },
        fixture: { type: 'string' },
        cv: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return undefined;
  }
  if (!values.data) throw new UsageError('--data is required');
  // Accept NAB's root folder as well as its data/ folder.
  const root = existsSync(join(values.data, 'data')) ? values.data : dirname(values.data);
  const dataDir = existsSync(join(values.data, 'data')) ? join(values.data, 'data') : values.data;
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new UsageError(`${values.data} is not a directory`);
  const labels = values.labels ?? join(root, 'labels', 'combined_windows.json');
  if (!existsSync(labels)) throw new UsageError(values.labels ? `labels file ${labels} not found` : '--labels is required');
  const given = values.thresholds === undefined ? undefined : readThresholds(values.thresholds);
  const modelPath = values.model ?? defaultModelPath();

  const corpus = loadNabCorpus({ dataDir, windowsFile: labels });
  const cv = values.cv === true;
  const detectors: Record<string, NabDetectorResult> = {};
  const crossValidated: Record<string, Record<ProfileName, number>> = {};
  const score = (name: string, scores: readonly Float64Array[]): void => {
    detectors[name] = scoreNabRun(corpus, scores, given?.[name]);
    if (cv) crossValidated[name] = crossValidatedScore(corpus, scores);
  };
  for (const [name, factory] of Object.entries(STATISTICAL_DETECTORS)) {
    score(name, corpus.series.map((s) => runDetector(factory(s.range), s.timestamps, s.values)));
  }
  const model = await OnnxAnomalyModel.load(modelPath);
  try {
    const scores: Float64Array[] = [];
    for (const s of corpus.series) scores.push(await scoreSeriesLearned(model, s.range, s.timestamps, s.values));
    score(LEARNED, scores);
  } finally {
    await model.close();
  }
  const htm = rescoreFixture(corpus, values.fixture ?? join(root, 'scorer-fixture', 'numenta'), cv);

  const used: Record<string, Record<ProfileName, number>> = {};
  for (const [name, r] of Object.entries(detectors)) used[name] = { ...r.thresholds };
  if (values['write-thresholds']) writeFileSync(values['write-thresholds'], JSON.stringify(used, null, 2) + '\n');

  const normalised = Object.fromEntries(Object.entries(detectors).map(([n, r]) => [n, round(r.normalised)]));
  const best = Object.entries(detectors).reduce((a, b) => (b[1].normalised.standard > a[1].normalised.standard ? b : a))[0];
  const doc: EvalNabReport = {
    detectors: normalised,
    best,
    thresholds: used,
    ensemble_weights: ENSEMBLE_WEIGHTS,
    files: corpus.series.length,
    windows: corpus.windowCount,
    ...(cv ? { cross_validated: Object.fromEntries(Object.entries(crossValidated).map(([n, r]) => [n, round(r)])) } : {}),
    reference: {
      published: PUBLISHED_NAB,
      numenta_htm_rescored: htm.result === null ? null : round(htm.result.normalised),
      ...(cv ? { numenta_htm_cross_validated: htm.crossValidated === null ? null : round(htm.crossValidated) } : {}),
    },
  };
  return { json: values.json === true, doc, table: table(doc, detectors, cv ? { detectors: crossValidated, htm: htm.crossValidated } : undefined, htm.note, given !== undefined) };
}

/** Reads a thresholds file as written by `--write-thresholds`: detector → profile → threshold. */
function readThresholds(path: string): Thresholds {
  if (!existsSync(path)) throw new UsageError(`thresholds file ${path} not found`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`thresholds file ${path} is not JSON: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`thresholds file ${path}: expected an object of detector → profile → threshold`);
  const out: Thresholds = {};
  for (const [name, per] of Object.entries(raw as Record<string, unknown>)) {
    if (per === null || typeof per !== 'object') throw new Error(`thresholds file ${path}: entry ${name} is not an object`);
    out[name] = {};
    for (const [profile, t] of Object.entries(per as Record<string, unknown>)) {
      if (!(PROFILE_NAMES as readonly string[]).includes(profile)) throw new Error(`thresholds file ${path}: ${name}.${profile} is not a NAB profile (${PROFILE_NAMES.join(', ')})`);
      if (typeof t !== 'number' || !Number.isFinite(t)) throw new Error(`thresholds file ${path}: ${name}.${profile} is not a finite number`);
      out[name]![profile as ProfileName] = t;
    }
  }
  return out;
}

/** Scores Numenta HTM's published anomaly scores (the fixture) on the same files, if the fixture has every one. */
function rescoreFixture(
  corpus: NabCorpus,
  fixtureDir: string,
  cv: boolean,
): { result: NabDetectorResult | null; crossValidated: ProfileScores | null; note: string } {
  if (!existsSync(fixtureDir)) return { result: null, crossValidated: null, note: `no Numenta HTM fixture at ${fixtureDir}` };
  const paths = corpus.series.map((s) => {
    const slash = s.file.lastIndexOf('/');
    return join(fixtureDir, s.file.slice(0, slash + 1) + 'numenta_' + s.file.slice(slash + 1));
  });
  const missing = paths.filter((p) => !existsSync(p)).length;
  if (missing > 0) return { result: null, crossValidated: null, note: `the Numenta HTM fixture lacks ${missing} of ${paths.length} files: not rescored` };
  const scores = paths.map((p, i) => {
    const { values } = parseNabCsv(readFileSync(p, 'utf8'), 'anomaly_score');
    if (values.length !== corpus.series[i]!.values.length) throw new Error(`${p}: ${values.length} rows, data file has ${corpus.series[i]!.values.length}`);
    return values;
  });
  return { result: scoreNabRun(corpus, scores), crossValidated: cv ? crossValidatedScore(corpus, scores) : null, note: '' };
}

function round(r: Readonly<Record<ProfileName, number>>): Record<ProfileName, number> {
  const out = {} as Record<ProfileName, number>;
  for (const p of PROFILE_NAMES) out[p] = Math.round(r[p] * 100) / 100;
  return out;
}

/** Held-out scores for the table, unrounded (the JSON document carries them rounded). */
interface HeldOut {
  readonly detectors: Readonly<Record<string, ProfileScores>>;
  readonly htm: ProfileScores | null;
}

function table(doc: EvalNabReport, detectors: Record<string, NabDetectorResult>, heldOut: HeldOut | undefined, htmNote: string, fixedThresholds: boolean): string {
  const cv = heldOut?.detectors;
  const row = (name: string, r: Readonly<Record<ProfileName, number>>, extra = ''): string =>
    `${name.padEnd(34)} ${PROFILE_NAMES.map((p) => r[p].toFixed(1).padStart(9)).join(' ')}${extra}`;
  const held = (r: Readonly<Record<ProfileName, number>> | null | undefined): string =>
    cv === undefined ? '' : r == null ? ' '.repeat(30) : ` ${PROFILE_NAMES.map((p) => r[p].toFixed(1).padStart(9)).join(' ')}`;
  const lines = [
    `NAB scores on ${doc.files} files, ${doc.windows} windows (thresholds ${fixedThresholds ? 'from --thresholds where given, else optimised' : 'optimised per profile over this folder'})`,
    ...(cv === undefined ? [] : [`${' '.repeat(34)} ${'in-sample'.padStart(29)} ${'leave one category out'.padStart(29)}`]),
    `${'detector'.padEnd(34)} ${'standard'.padStart(9)} ${'low FP'.padStart(9)} ${'low FN'.padStart(9)}${cv === undefined ? '' : ` ${'standard'.padStart(9)} ${'low FP'.padStart(9)} ${'low FN'.padStart(9)}`}   thresholds`,
  ];
  for (const [name, r] of Object.entries(detectors)) {
    const t = PROFILE_NAMES.map((p) => `${r.thresholds[p].toFixed(4)}${r.optimised[p] ? '' : '*'}`).join(' / ');
    lines.push(row(name, r.normalised, `${held(cv?.[name])}   ${t}`));
  }
  lines.push('');
  lines.push(
    `ensemble weights: ${Object.entries(doc.ensemble_weights).map(([n, w]) => `${n} ${w}`).join(', ')} ` +
      `(seasonal or contextNovelty at ${ENSEMBLE_MISFIT_WEIGHT} while its model does not fit the series; ` +
      `rest ${ENSEMBLE_REST_POINTS} points after a score ≥ ${ENSEMBLE_ALERT_AT}); best: ${doc.best}`,
  );
  lines.push('');
  lines.push('reference, same scorer and files:');
  if (doc.reference.numenta_htm_rescored !== null) lines.push(row(HTM_FIXTURE, doc.reference.numenta_htm_rescored, held(heldOut?.htm)));
  else lines.push(`  ${htmNote}`);
  lines.push('published NAB scoreboard (whole 58-file corpus):');
  for (const [name, r] of Object.entries(PUBLISHED_NAB)) lines.push(row(name, r));
  if (fixedThresholds) lines.push('(* threshold given by --thresholds)');
  if (cv !== undefined) lines.push('(leave one category out: each category scored at thresholds optimised on the others, whatever --thresholds says)');
  return lines.join('\n') + '\n';
}
