import { readFileSync } from 'node:fs';
import { NAB_PROFILES, PROFILE_NAMES } from './profiles.js';
import type { CostProfile, ProfileName } from './profiles.js';
import type { TimeWindow } from './windows.js';

// NAB timestamps carry no zone; reading them as UTC keeps them free of the host's
// daylight-saving rules, which would otherwise shift or merge rows.
const NAB_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Parses `YYYY-MM-DD HH:MM:SS[.ffffff]` as UTC milliseconds since the epoch. */
export function parseNabTimestamp(text: string): number {
  const m = NAB_TIMESTAMP.exec(text.trim());
  if (m === null) throw new Error(`not a NAB timestamp: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac === undefined ? 0 : Math.floor(Number(frac.padEnd(6, '0')) / 1000);
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
}

/** A series read from a NAB CSV: one timestamp and one value per row. */
export interface NabSeries {
  readonly timestamps: number[];
  readonly values: number[];
}

/**
 * Parses a NAB CSV (data file `timestamp,value` or results file
 * `timestamp,...,anomaly_score,...`), keeping the timestamp and `column`.
 * NAB's CSVs never quote fields, so a plain split is enough.
 */
export function parseNabCsv(text: string, column = 'value'): NabSeries {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  const ti = header.indexOf('timestamp');
  const vi = header.indexOf(column);
  if (ti < 0 || vi < 0) throw new Error(`CSV header lacks timestamp or ${column}: ${lines[0] ?? ''}`);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r]!.split(',');
    timestamps.push(parseNabTimestamp(cells[ti] ?? ''));
    const cell = cells[vi] ?? '';
    // Number('') is 0, so an empty cell must be refused explicitly.
    const v = cell.trim() === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(v)) throw new Error(`row ${r}: ${column} is not a number`);
    values.push(v);
  }
  return { timestamps, values };
}

/** Parses `combined_windows.json`: file path (relative to `data/`) to its windows. */
export function parseWindowsJson(text: string): Map<string, TimeWindow[]> {
  const raw = JSON.parse(text) as Record<string, [string, string][]>;
  const out = new Map<string, TimeWindow[]>();
  for (const [file, windows] of Object.entries(raw)) {
    out.set(
      file,
      windows.map(([start, end]) => ({ start: parseNabTimestamp(start), end: parseNabTimestamp(end) })),
    );
  }
  return out;
}

/**
 * Parses NAB's `config/profiles.json`; a profile missing from the file falls
 * back to NAB's published weights.
 */
export function parseProfilesJson(text: string): Record<ProfileName, CostProfile> {
  const raw = JSON.parse(text) as Partial<Record<string, { CostMatrix?: Partial<CostProfile> }>>;
  const out = { ...NAB_PROFILES };
  for (const name of PROFILE_NAMES) {
    const m = raw[name]?.CostMatrix;
    if (m?.tpWeight !== undefined && m.fpWeight !== undefined && m.fnWeight !== undefined) {
      out[name] = { tpWeight: m.tpWeight, fpWeight: m.fpWeight, fnWeight: m.fnWeight };
    }
  }
  return out;
}

/** One row of NAB's per-file results table (`<detector>_<profile>_scores.csv`). */
export interface NabResultRow {
  readonly detector: string;
  readonly profile: string;
  readonly file: string;
  readonly threshold: number;
  readonly score: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  readonly total: number;
}

/** Parses NAB's per-file results table; the totals row (no file name) is skipped. */
export function parseResultsTable(text: string): NabResultRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const rows: NabResultRow[] = [];
  for (const line of lines.slice(1)) {
    const [detector, profile, file, threshold, score, tp, tn, fp, fn, total] = line.split(',');
    if (file === undefined || !file.endsWith('.csv')) continue;
    rows.push({
      detector: detector ?? '',
      profile: profile ?? '',
      file,
      threshold: Number(threshold),
      score: Number(score),
      tp: Number(tp),
      tn: Number(tn),
      fp: Number(fp),
      fn: Number(fn),
      total: Number(total),
    });
  }
  return rows;
}

/** Reads and parses a NAB CSV from disk. */
export function loadNabCsv(path: string, column = 'value'): NabSeries {
  return parseNabCsv(readFileSync(path, 'utf8'), column);
}

/** Reads and parses `combined_windows.json` from disk. */
export function loadWindows(path: string): Map<string, TimeWindow[]> {
  return parseWindowsJson(readFileSync(path, 'utf8'));
}

/** Reads and parses `config/profiles.json` from disk. */
export function loadProfiles(path: string): Record<ProfileName, CostProfile> {
  return parseProfilesJson(readFileSync(path, 'utf8'));
}
