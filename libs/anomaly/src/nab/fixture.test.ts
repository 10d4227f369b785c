import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadNabCsv, loadProfiles, loadWindows, parseResultsTable } from './loader.js';
import { countWindows, normaliseScore, optimiseThreshold, scoreCorpus } from './optimise.js';
import type { ScoredFile } from './optimise.js';
import { PROFILE_NAMES } from './profiles.js';
import { labelRows, scoreFile } from './scorer.js';

// NAB's own published per-file results for Numenta's HTM detector; the scorer
// must reproduce every one from the published anomaly scores.
// The datasets sit in shared/ beside the repository (CI lays a copy there too);
// PHAROS_DATASETS overrides. A missing fixture fails the run rather than skipping it.
const NAB = process.env.PHAROS_DATASETS
  ? join(process.env.PHAROS_DATASETS, 'nab')
  : fileURLToPath(new URL('../../../../../shared/datasets/nab', import.meta.url));
const FIXTURE = join(NAB, 'scorer-fixture');

describe('NAB fixture: Numenta HTM per-file scores', () => {
  it('finds the NAB fixture', () => {
    expect(existsSync(FIXTURE), `${FIXTURE} is missing`).toBe(true);
  });
  const windows = loadWindows(join(NAB, 'labels/combined_windows.json'));
  const profiles = loadProfiles(join(NAB, 'config/profiles.json'));

  const corpus = new Map<string, ScoredFile>();
  /** Numenta's published scores for one file, labelled with that file's windows (read once, shared by the profiles). */
  function scoredFile(file: string): ScoredFile {
    let f = corpus.get(file);
    if (f === undefined) {
      const results = loadNabCsv(join(FIXTURE, 'numenta', dirname(file), `numenta_${basename(file)}`), 'anomaly_score');
      const fileWindows = windows.get(file);
      if (fileWindows === undefined) throw new Error(`no windows entry for ${file}`);
      f = { labels: labelRows(results.timestamps, fileWindows), anomalyScores: results.values };
      corpus.set(file, f);
    }
    return f;
  }

  for (const profileName of PROFILE_NAMES) {
    const table = parseResultsTable(readFileSync(join(FIXTURE, `numenta_${profileName}_scores.csv`), 'utf8'));
    it(`${profileName}: the table covers all 40 files`, () => {
      expect(table).toHaveLength(40);
    });
    for (const row of table) {
      it(`${profileName} ${row.file}`, () => {
        const { labels, anomalyScores } = scoredFile(row.file);
        const got = scoreFile(labels, anomalyScores, row.threshold, profiles[profileName]);
        // The table prints 12 significant digits, so agreement is checked to 1e-9.
        expect(Math.abs(got.score - row.score)).toBeLessThan(1e-9);
        expect({ tp: got.tp, tn: got.tn, fp: got.fp, fn: got.fn, total: got.total }).toEqual({
          tp: row.tp,
          tn: row.tn,
          fp: row.fp,
          fn: row.fn,
          total: row.total,
        });
      });
    }

    it(`${profileName}: corpus raw score, normalised score and the optimiser`, () => {
      const files = table.map((r) => scoredFile(r.file));
      const profile = profiles[profileName];
      expect(countWindows(files)).toBe(67);
      const stored = scoreCorpus(files, table[0]!.threshold, profile);
      const published = table.reduce((s, r) => s + r.score, 0);
      expect(Math.abs(stored.score - published)).toBeLessThan(1e-8);
      const normalised = normaliseScore(stored.score, 67, profile);
      expect(normalised).toBeGreaterThan(0);
      expect(normalised).toBeLessThan(100);
      // An exhaustive search can only match or beat NAB's stored threshold.
      const best = optimiseThreshold(files, profile);
      expect(best.score).toBeGreaterThanOrEqual(stored.score - 1e-9);
    });
  }
});
