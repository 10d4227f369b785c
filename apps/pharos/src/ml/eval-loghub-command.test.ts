import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOutput, datasetDir } from './ml-cli-testing.js';
import { runMlCli } from './ml-cli.js';

const LOGHUB = datasetDir('loghub2k');

afterEach(() => vi.restoreAllMocks());

/** A Loghub-layout folder holding some of the shared systems. */
function folderWith(systems: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-loghub-'));
  for (const s of systems) {
    mkdirSync(join(dir, s));
    for (const f of [`${s}_2k.log`, `${s}_2k.log_structured_corrected.csv`]) symlinkSync(join(LOGHUB, s, f), join(dir, s, f));
  }
  return dir;
}

describe('pharos ml eval-loghub', () => {
  it('prints the documented JSON for any folder in the Loghub layout', async () => {
    const io = captureOutput();
    const code = await runMlCli(['eval-loghub', '--data', folderWith(['Apache', 'OpenSSH']), '--json']);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(io.out()) as {
      systems: Record<string, { grouping_accuracy: number; f1: number; parsing_accuracy: number }>;
      mean: { grouping_accuracy: number; f1: number; parsing_accuracy: number };
    };
    expect(Object.keys(report.systems)).toEqual(['Apache', 'OpenSSH']);
    expect(report.systems.Apache!.grouping_accuracy).toBe(1);
    expect(report.systems.OpenSSH!.grouping_accuracy).toBeGreaterThan(0.99);
    expect(report.mean.grouping_accuracy).toBeCloseTo(
      (report.systems.Apache!.grouping_accuracy + report.systems.OpenSSH!.grouping_accuracy) / 2,
      12,
    );
    for (const k of ['grouping_accuracy', 'f1', 'parsing_accuracy'] as const) {
      expect(report.mean[k]).toBeGreaterThan(0.9);
      expect(report.mean[k]).toBeLessThanOrEqual(1);
    }
  });

  it('prints a table next to the published figures', async () => {
    const io = captureOutput();
    expect(await runMlCli(['eval-loghub', '--data', folderWith(['HDFS'])])).toBe(0);
    const out = io.out();
    expect(out).toMatch(/^HDFS\s+2000\s+\d+\s+1\.000\s+1\.000\s+0\.9\d\d\s+0\.998$/m);
    expect(out).toMatch(/^mean\s+.*0\.865 \(16 systems\)$/m);
    expect(out).toContain('Brain (2023) mean GA 0.98');
    expect(out).toMatch(/Mining speed: [\d,]+ lines\/s/);
  });

  it('refuses missing or bad arguments with a clear message', async () => {
    const io = captureOutput();
    expect(await runMlCli(['eval-loghub'])).toBe(2);
    expect(io.err()).toContain('--data is required');
    expect(await runMlCli(['eval-loghub', '--data', LOGHUB, '--group-by', 'colour'])).toBe(2);
    expect(io.err()).toContain('--group-by must be template or event-id');
    expect(await runMlCli(['eval-loghub', '--data', LOGHUB, '--truth', 'newest'])).toBe(2);
    expect(io.err()).toContain('--truth must be corrected or original');
    expect(await runMlCli(['eval-loghub', '--data', join(LOGHUB, 'nowhere')])).toBe(1);
    expect(io.err()).toMatch(/is not a folder/);
  });
});
