import { describe, expect, it } from 'vitest';
import { parseNabCsv, parseNabTimestamp, parseProfilesJson, parseResultsTable, parseWindowsJson } from './loader.js';
import { NAB_PROFILES } from './profiles.js';

describe('NAB loader', () => {
  it('reads zone-less timestamps as UTC, with or without a fraction', () => {
    expect(parseNabTimestamp('2014-04-10 07:15:00')).toBe(Date.UTC(2014, 3, 10, 7, 15, 0));
    expect(parseNabTimestamp('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15, 0));
    expect(parseNabTimestamp('2014-04-10 07:15:00.250000')).toBe(Date.UTC(2014, 3, 10, 7, 15, 0, 250));
    expect(() => parseNabTimestamp('10/04/2014')).toThrow(/not a NAB timestamp/);
  });

  it('reads a chosen column of a CSV', () => {
    const csv = 'timestamp,value,anomaly_score\n2014-01-01 00:00:00,5,0.25\n2014-01-01 00:05:00,6,1\n';
    expect(parseNabCsv(csv, 'anomaly_score')).toEqual({
      timestamps: [Date.UTC(2014, 0, 1), Date.UTC(2014, 0, 1, 0, 5)],
      values: [0.25, 1],
    });
    expect(parseNabCsv(csv).values).toEqual([5, 6]);
    expect(() => parseNabCsv(csv, 'label')).toThrow(/lacks/);
    expect(() => parseNabCsv('timestamp,value\n2014-01-01 00:00:00,\n')).toThrow(/not a number/);
  });

  it('reads windows, profiles and result tables', () => {
    const w = parseWindowsJson('{"a/b.csv": [["2014-01-01 00:00:00.000000", "2014-01-01 01:00:00.000000"]], "c.csv": []}');
    expect(w.get('a/b.csv')).toEqual([{ start: Date.UTC(2014, 0, 1), end: Date.UTC(2014, 0, 1, 1) }]);
    expect(w.get('c.csv')).toEqual([]);
    // A profile missing from the file falls back to NAB's published weights.
    const p = parseProfilesJson('{"standard": {"CostMatrix": {"tpWeight": 2, "fpWeight": 0.5, "fnWeight": 3, "tnWeight": 1}}}');
    expect(p.standard).toEqual({ tpWeight: 2, fpWeight: 0.5, fnWeight: 3 });
    expect(p.reward_low_FN_rate).toEqual(NAB_PROFILES.reward_low_FN_rate);
    const t = parseResultsTable(
      'Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,Total_Count\nx,standard,a/b.csv,0.5,-0.22,0,3426,2,0,4032\nTotals,,,,1,,,,,\n',
    );
    expect(t).toEqual([
      { detector: 'x', profile: 'standard', file: 'a/b.csv', threshold: 0.5, score: -0.22, tp: 0, tn: 3426, fp: 2, fn: 0, total: 4032 },
    ]);
  });
});
