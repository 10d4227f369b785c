import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EwmaResidualDetector } from '../detectors/ewma-residual.js';
import { NullDetector } from '../detectors/null-detector.js';
import { RobustBaselineDetector } from '../detectors/robust-baseline.js';
import { SuppressRepeats } from '../detectors/suppress-repeats.js';
import { PROFILE_NAMES } from '../nab/profiles.js';
import { evaluateNab, listNabFiles } from './eval-nab.js';

// The datasets sit in shared/ beside the repository; PHAROS_DATASETS overrides.
// Missing data fails the run rather than skipping it.
const NAB = process.env.PHAROS_DATASETS
  ? join(process.env.PHAROS_DATASETS, 'nab')
  : fileURLToPath(new URL('../../../../../shared/datasets/nab', import.meta.url));
const FIXTURE = join(NAB, 'scorer-fixture', 'numenta');

describe('evaluateNab on the NAB files of the scorer fixture', () => {
  it('finds the NAB data', () => {
    expect(existsSync(join(NAB, 'data')), `${NAB}/data is missing`).toBe(true);
  });

  it('scores every detector under the three profiles and the best beats the null detector', () => {
    // The fixture holds Numenta's results for exactly the files in data/; check that rather than assume it.
    const fixtureFiles = listNabFiles(FIXTURE).map((f) => f.replace(/(^|\/)numenta_/, '$1'));
    expect(listNabFiles(join(NAB, 'data'))).toEqual(fixtureFiles);
    expect(readdirSync(join(NAB, 'data')).length).toBeGreaterThan(0);

    const result = evaluateNab({
      dataDir: join(NAB, 'data'),
      windowsFile: join(NAB, 'labels/combined_windows.json'),
      profilesFile: join(NAB, 'config/profiles.json'),
      detectors: {
        null: () => new NullDetector(),
        ewmaResidual: (range) => new SuppressRepeats(new EwmaResidualDetector({ range })),
        robustBaseline: (range) => new SuppressRepeats(new RobustBaselineDetector({ range })),
        // Recorded for comparison: without the CUSUM part, and without repeat suppression.
        robustBaselineNoCusum: (range) =>
          new SuppressRepeats(new RobustBaselineDetector({ range, cusumHalfScoreAt: Number.MAX_VALUE })),
        ewmaResidualUnsuppressed: (range) => new EwmaResidualDetector({ range }),
      },
    });

    expect(result.files).toHaveLength(40);
    expect(result.windowCount).toBe(67);
    expect(result.rowCount).toBe(185_948);
    for (const r of Object.values(result.detectors)) {
      for (const p of PROFILE_NAMES) {
        expect(Number.isFinite(r.normalised[p])).toBe(true);
        expect(r.normalised[p]).toBeLessThanOrEqual(100);
        expect(r.optimised[p]).toBe(true);
      }
    }
    // The null detector never fires, so it scores 0 by definition.
    for (const p of PROFILE_NAMES) expect(result.detectors['null']!.normalised[p]).toBeCloseTo(0, 9);

    const table = Object.entries(result.detectors).map(([name, r]) => ({
      detector: name,
      standard: r.normalised.standard.toFixed(1),
      lowFP: r.normalised.reward_low_FP_rate.toFixed(1),
      lowFN: r.normalised.reward_low_FN_rate.toFixed(1),
      thresholds: PROFILE_NAMES.map((p) => r.thresholds[p].toFixed(4)).join(' / '),
    }));
    console.info('NAB scores (40 files, 67 windows; Numenta HTM published: 70.1 / 63.4 / 74.1)');
    console.table(table);

    const best = Math.max(...Object.values(result.detectors).map((r) => r.normalised.standard));
    expect(best).toBeGreaterThan(result.detectors['null']!.normalised.standard);
    expect(best).toBeGreaterThan(0);
  });

  it('uses given thresholds instead of optimising', () => {
    const result = evaluateNab({
      dataDir: join(NAB, 'data'),
      include: (file) => file.startsWith('artificialWithAnomaly/'),
      windowsFile: join(NAB, 'labels/combined_windows.json'),
      profilesFile: join(NAB, 'config/profiles.json'),
      detectors: { ewmaResidual: (range) => new EwmaResidualDetector({ range }) },
      thresholds: { ewmaResidual: { standard: 0.9 } },
    });
    expect(result.files).toHaveLength(6);
    const r = result.detectors['ewmaResidual']!;
    expect(r.thresholds.standard).toBe(0.9);
    expect(r.optimised.standard).toBe(false);
    expect(r.optimised.reward_low_FP_rate).toBe(true);
  });
});
