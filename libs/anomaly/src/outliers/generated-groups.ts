import { gaussianFrom, seededRandom } from '../seeded-random.js';
import { findGroupOutliers, type GroupOutlierOptions } from './group-outliers.js';

/**
 * Generated groups with planted outliers, for measuring group-outlier detection: every member
 * shares a daily shape and a level, with its own noise; planted members deviate in one of the
 * ways that matter in operations. Some groups have no outlier but move together (a deploy, a
 * traffic surge), which must raise nothing.
 */
export const PLANTED_KINDS = ['level-shift', 'drift', 'noisy', 'inverted-shape', 'stuck'] as const;
export type PlantedKind = (typeof PLANTED_KINDS)[number];

export interface GeneratedGroup {
  readonly kind: PlantedKind | 'moves-together' | 'quiet';
  readonly window: Float64Array[];
  readonly outliers: ReadonlySet<number>;
}

export function generateGroups(seed: number, count: number, width = 120): GeneratedGroup[] {
  const random = seededRandom(seed);
  const gaussian = (): number => gaussianFrom(random);
  const kinds = [...PLANTED_KINDS, 'moves-together', 'quiet'] as const;
  const groups: GeneratedGroup[] = [];
  for (let g = 0; g < count; g++) {
    const kind = kinds[g % kinds.length]!;
    const members = 5 + Math.floor(random() * 21);
    const level = 10 ** (1 + 3 * random());
    const amplitude = 0.3 * level;
    const sigma = 0.05 * level;
    const phase = random() * 2 * Math.PI;
    const shape = (t: number): number => level + amplitude * Math.sin(phase + (2 * Math.PI * t) / width);
    const window = Array.from({ length: members }, () => Float64Array.from({ length: width }, (_, t) => shape(t) + sigma * gaussian()));
    const outliers = new Set<number>();
    if (kind === 'moves-together') {
      const at = Math.floor(width * (0.2 + 0.5 * random()));
      const shift = (random() < 0.5 ? -1 : 1) * 0.5 * level;
      for (const row of window) for (let t = at; t < width; t++) row[t] = row[t]! + shift;
    } else if (kind !== 'quiet') {
      const planted = 1 + Math.floor(random() * Math.min(2, Math.floor((members - 1) / 3)));
      for (let k = 0; k < planted; k++) {
        const m = Math.floor(random() * members);
        outliers.add(m);
        const row = window[m]!;
        // Deviations start within the first third, so they cover most of the window.
        const start = Math.floor(random() * width * 0.3);
        for (let t = start; t < width; t++) {
          const base = shape(t);
          switch (kind) {
            case 'level-shift':
              row[t] = row[t]! + 8 * sigma;
              break;
            case 'drift':
              row[t] = row[t]! + (16 * sigma * (t - start)) / (width - start);
              break;
            case 'noisy':
              row[t] = base + 10 * sigma * gaussian();
              break;
            case 'inverted-shape':
              row[t] = 2 * level - base + sigma * gaussian();
              break;
            case 'stuck':
              row[t] = row[start]!;
              break;
          }
        }
      }
    }
    groups.push({ kind, window, outliers });
  }
  return groups;
}

export interface OutlierDetectionScore {
  readonly precision: number;
  readonly recall: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** Groups without an outlier in which something was flagged. */
  readonly falseAlarmGroups: number;
}

/** Precision and recall of flagged members over generated groups. */
export function scoreOutlierDetection(groups: readonly GeneratedGroup[], options: GroupOutlierOptions = {}): OutlierDetectionScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let falseAlarmGroups = 0;
  for (const group of groups) {
    const verdicts = findGroupOutliers(group.window, options);
    let flaggedInClean = false;
    for (const v of verdicts) {
      const planted = group.outliers.has(v.member);
      if (v.outlier && planted) tp++;
      else if (v.outlier) {
        fp++;
        if (group.outliers.size === 0) flaggedInClean = true;
      } else if (planted) fn++;
    }
    if (flaggedInClean) falseAlarmGroups++;
  }
  return {
    precision: tp + fp > 0 ? tp / (tp + fp) : 1,
    recall: tp + fn > 0 ? tp / (tp + fn) : 1,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    falseAlarmGroups,
  };
}
