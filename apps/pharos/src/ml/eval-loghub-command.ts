import { parseArgs } from 'node:util';
import {
  BRAIN_PUBLISHED_MEAN_GA,
  DRAIN_PUBLISHED_GA,
  DRAIN_PUBLISHED_MEAN_GA,
  evaluateLoghub,
  type GroupKey,
  type GroundTruth,
  type LoghubReport,
} from '#pharos/logpatterns';
import type { MlCommand } from './ml-cli.js';

const USAGE = 'usage: pharos ml eval-loghub --data <dir> [--json] [--group-by template|event-id] [--truth corrected|original] [--systems A,B]';

/**
 * `pharos ml eval-loghub`: runs the online log-pattern miner (one configuration for every
 * system) over each system of a folder in the Loghub-2k layout and scores it against the
 * corrected ground truth: grouping accuracy, pairwise F1, parsing accuracy.
 */
export const evalLoghubCommand: MlCommand = {
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: {
          data: { type: 'string' },
          json: { type: 'boolean' },
          'group-by': { type: 'string' },
          truth: { type: 'string' },
          systems: { type: 'string' },
        },
      }));
    } catch (err) {
      process.stderr.write(`pharos ml eval-loghub: ${(err as Error).message}\n${USAGE}\n`);
      return 2;
    }
    if (!values.data) {
      process.stderr.write(`pharos ml eval-loghub: --data is required\n${USAGE}\n`);
      return 2;
    }
    const groupBy = values['group-by'] ?? 'template';
    if (groupBy !== 'template' && groupBy !== 'event-id') {
      process.stderr.write(`pharos ml eval-loghub: --group-by must be template or event-id, got "${groupBy}"\n`);
      return 2;
    }
    const truth = values.truth ?? 'corrected';
    if (truth !== 'corrected' && truth !== 'original') {
      process.stderr.write(`pharos ml eval-loghub: --truth must be corrected or original, got "${truth}"\n`);
      return 2;
    }
    let report: LoghubReport;
    try {
      report = evaluateLoghub(values.data, {
        groupKey: groupBy as GroupKey,
        truth: truth as GroundTruth,
        ...(values.systems ? { only: values.systems.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
      });
    } catch (err) {
      process.stderr.write(`pharos ml eval-loghub: ${(err as Error).message}\n`);
      return 1;
    }
    process.stdout.write(values.json ? JSON.stringify(loghubReportJson(report)) + '\n' : loghubReportTable(report));
    return 0;
  },
};

/**
 * The `--json` document: `systems.<System>` and `mean` each hold `grouping_accuracy`, `f1`
 * (pairwise) and `parsing_accuracy`, in [0, 1].
 */
export function loghubReportJson(report: LoghubReport): unknown {
  const systems: Record<string, unknown> = {};
  for (const s of report.systems) {
    systems[s.name] = { grouping_accuracy: s.scores.groupingAccuracy, f1: s.scores.f1, parsing_accuracy: s.scores.parsingAccuracy };
  }
  const m = report.mean;
  return { systems, mean: { grouping_accuracy: m.groupingAccuracy, f1: m.f1, parsing_accuracy: m.parsingAccuracy } };
}

export function loghubReportTable(report: LoghubReport): string {
  const f = (v: number | undefined): string => (v === undefined ? '   –  ' : v.toFixed(3).padStart(6));
  const lines = [
    `Ground truth: ${report.truth === 'corrected' ? 'corrected (Khan et al. 2022)' : 'original (ICSE 2019)'}; groups keyed by ${report.groupKey === 'template' ? 'template string' : 'EventId'}; input: the Content column.`,
    '',
    `${'system'.padEnd(12)} ${'lines'.padStart(6)} ${'patterns'.padStart(8)}  ${'GA'.padStart(6)} ${'F1'.padStart(6)} ${'PA'.padStart(6)}   ${'Drain GA'.padStart(8)}`,
  ];
  let lines_ = 0;
  let seconds = 0;
  for (const s of report.systems) {
    lines_ += s.lines;
    seconds += s.seconds;
    lines.push(
      `${s.name.padEnd(12)} ${String(s.lines).padStart(6)} ${String(s.patterns).padStart(8)}  ${f(s.scores.groupingAccuracy)} ${f(s.scores.f1)} ${f(s.scores.parsingAccuracy)}   ${f(DRAIN_PUBLISHED_GA[s.name]).padStart(8)}`,
    );
  }
  const m = report.mean;
  lines.push(`${'mean'.padEnd(12)} ${''.padStart(6)} ${''.padStart(8)}  ${f(m.groupingAccuracy)} ${f(m.f1)} ${f(m.parsingAccuracy)}   ${f(DRAIN_PUBLISHED_MEAN_GA).padStart(8)} (16 systems)`);
  lines.push('');
  lines.push(
    `Published: Drain (ICSE 2019, original ground truth, per-system regexes) mean GA ${DRAIN_PUBLISHED_MEAN_GA}; Brain (2023) mean GA ${BRAIN_PUBLISHED_MEAN_GA}.`,
  );
  if (seconds > 0) lines.push(`Mining speed: ${Math.round(lines_ / seconds).toLocaleString('en-US')} lines/s (one cold pass over all systems, one core; warm figures: npm run bench:ml).`);
  return lines.join('\n') + '\n';
}
