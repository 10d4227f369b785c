import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listNabFiles, loadNabCsv } from '#pharos/anomaly';
import {
  FORECAST_METHODS,
  evaluateRollingOrigin,
  summariseHorizon,
  toRegularGrid,
  type ForecastMethod,
  type SeriesEvaluation,
} from '#pharos/forecast';
import type { MlCommand } from './ml-cli.js';

const HORIZONS = [
  { name: '1h', ms: 3_600_000 },
  { name: '24h', ms: 86_400_000 },
] as const;

const USAGE = 'usage: pharos ml eval-forecast --data <dir> [--json]';

/**
 * `pharos ml eval-forecast`: rolling-origin evaluation of the forecaster on every CSV of a folder
 * in NAB's layout (`timestamp,value`), at 1 h and 24 h horizons, against `predict_linear`-style
 * extrapolation and seasonal naive.
 */
export const evalForecastCommand: MlCommand = {
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({ args: [...argv], options: { data: { type: 'string' }, json: { type: 'boolean' } } }));
    } catch (err) {
      process.stderr.write(`pharos ml eval-forecast: ${(err as Error).message}\n${USAGE}\n`);
      return 2;
    }
    if (!values.data) {
      process.stderr.write(`pharos ml eval-forecast: --data is required\n${USAGE}\n`);
      return 2;
    }
    const dataDir = existsSync(join(values.data, 'data')) ? join(values.data, 'data') : values.data;
    if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
      process.stderr.write(`pharos ml eval-forecast: ${values.data} is not a directory\n`);
      return 2;
    }
    const files = listNabFiles(dataDir);
    if (files.length === 0) {
      process.stderr.write(`pharos ml eval-forecast: no .csv files under ${dataDir}\n`);
      return 1;
    }
    const results: SeriesEvaluation[] = [];
    for (const file of files) {
      const series = loadNabCsv(join(dataDir, file));
      results.push(evaluateRollingOrigin(file, toRegularGrid(series.timestamps, series.values), { horizonsMs: HORIZONS.map((h) => h.ms) }));
    }
    process.stdout.write(values.json ? JSON.stringify(forecastReportJson(results)) + '\n' : forecastReportTable(results));
    return 0;
  },
};

/**
 * The `--json` document: `horizons.<1h|24h>` holds `series` (how many could be scored),
 * `median_mase.<method>`, `interval_coverage` (mean share of outcomes inside the 80 % interval)
 * and `best` (the method with the lowest median MASE); `series.<file>.<1h|24h>` holds that
 * series' `mase.<method>`, `coverage` and `origins`. Methods: `holt_winters` (Pharos),
 * `linear`, `seasonal_naive`. Unscorable values (a flat series has no MASE scale) are null.
 */
export function forecastReportJson(results: readonly SeriesEvaluation[]): unknown {
  const horizons: Record<string, unknown> = {};
  for (const h of HORIZONS) {
    const s = summariseHorizon(results, h.ms);
    horizons[h.name] = {
      series: s.series,
      median_mase: numbers(s.medianMase),
      interval_coverage: finite(s.meanCoverage),
      target_coverage: 0.8,
      best: bestMethod(s.medianMase),
    };
  }
  const series: Record<string, unknown> = {};
  for (const r of results) {
    const per: Record<string, unknown> = {};
    for (const h of HORIZONS) {
      const hr = r.horizons.find((x) => x.horizonMs === h.ms);
      if (hr) per[h.name] = { mase: numbers(hr.mase), coverage: finite(hr.coverage), origins: hr.origins };
    }
    series[r.name] = per;
  }
  return { horizons, series };
}

export function forecastReportTable(results: readonly SeriesEvaluation[]): string {
  const lines: string[] = [];
  const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
  lines.push(`${'series'.padEnd(58)} ${HORIZONS.map((h) => `${h.name}: hw / linear / snaive  cover`.padEnd(40)).join(' ')}`);
  for (const r of results) {
    const cells = HORIZONS.map((h) => {
      const hr = r.horizons.find((x) => x.horizonMs === h.ms);
      return hr ? `${fmt(hr.mase.holt_winters)} / ${fmt(hr.mase.linear)} / ${fmt(hr.mase.seasonal_naive)}  ${fmt(hr.coverage)}`.padEnd(40) : ''.padEnd(40);
    });
    lines.push(`${r.name.padEnd(58)} ${cells.join(' ')}`);
  }
  lines.push('');
  lines.push('Median MASE over series (lower is better) and mean coverage of the 80 % interval (target 0.75–0.85):');
  for (const h of HORIZONS) {
    const s = summariseHorizon(results, h.ms);
    lines.push(
      `  ${h.name.padEnd(4)} series ${String(s.series).padStart(3)}   holt_winters ${fmt(s.medianMase.holt_winters)}   linear ${fmt(s.medianMase.linear)}   seasonal_naive ${fmt(s.medianMase.seasonal_naive)}   coverage ${fmt(s.meanCoverage)}   best ${bestMethod(s.medianMase) ?? 'n/a'}`,
    );
  }
  return lines.join('\n') + '\n';
}

function bestMethod(mase: Readonly<Record<ForecastMethod, number>>): ForecastMethod | null {
  let best: ForecastMethod | null = null;
  for (const m of FORECAST_METHODS) if (Number.isFinite(mase[m]) && (best === null || mase[m] < mase[best])) best = m;
  return best;
}

function numbers(rec: Readonly<Record<ForecastMethod, number>>): Record<string, number | null> {
  return Object.fromEntries(FORECAST_METHODS.map((m) => [m, finite(rec[m])]));
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
