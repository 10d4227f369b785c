import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOutput, datasetDir } from './ml-cli-testing.js';
import { runMlCli } from './ml-cli.js';

const NAB = datasetDir('nab');

afterEach(() => vi.restoreAllMocks());

describe('pharos ml eval-forecast', () => {
  it('evaluates a NAB-layout folder and prints the documented JSON', async () => {
    // Three real series of different kinds (daily season, hourly ad data, no season), small enough
    // for a loaded CI machine; the whole folder is measured by the bench.
    const dir = mkdtempSync(join(tmpdir(), 'pharos-forecast-'));
    for (const file of ['artificialNoAnomaly/art_daily_small_noise.csv', 'realAdExchange/exchange-3_cpm_results.csv', 'realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv']) {
      const [category, name] = file.split('/') as [string, string];
      mkdirSync(join(dir, 'data', category), { recursive: true });
      symlinkSync(join(NAB, 'data', file), join(dir, 'data', category, name));
    }
    const io = captureOutput();
    const code = await runMlCli(['eval-forecast', '--data', dir, '--json']);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(io.out()) as {
      horizons: Record<string, { series: number; median_mase: Record<string, number>; interval_coverage: number; best: string }>;
      series: Record<string, Record<string, { mase: Record<string, number>; coverage: number; origins: number }>>;
    };
    expect(Object.keys(report.horizons)).toEqual(['1h', '24h']);
    expect(Object.keys(report.series).sort()).toEqual([
      'artificialNoAnomaly/art_daily_small_noise.csv',
      'realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv',
      'realAdExchange/exchange-3_cpm_results.csv',
    ]);
    for (const h of Object.values(report.horizons)) {
      expect(h.series).toBe(3);
      expect(Object.keys(h.median_mase)).toEqual(['holt_winters', 'linear', 'seasonal_naive']);
      expect(h.interval_coverage).toBeGreaterThan(0.5);
      expect(h.interval_coverage).toBeLessThan(1);
    }
    expect(report.horizons['24h']!.best).toBe('holt_winters');
    expect(report.series['artificialNoAnomaly/art_daily_small_noise.csv']!['24h']!.origins).toBeGreaterThan(20);
  }, 120_000);

  it('asks for --data and names a folder that is not there', async () => {
    const io = captureOutput();
    expect(await runMlCli(['eval-forecast'])).toBe(2);
    expect(io.err()).toMatch(/--data is required/);
    expect(await runMlCli(['eval-forecast', '--data', '/nonexistent/pharos'])).toBe(2);
    expect(io.err()).toMatch(/is not a directory/);
  });
});
