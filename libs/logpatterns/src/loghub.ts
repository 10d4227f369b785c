import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvColumns } from './csv.js';
import { scoreParsing, type ParsingScores } from './metrics.js';
import { PatternMiner, type MinerOptions } from './miner.js';

/**
 * Loghub-2k layout (see `shared/datasets/loghub2k` README): one folder per system holding
 * `<System>_2k.log` (raw lines) and `<System>_2k.log_structured_corrected.csv` (the corrected
 * ground truth: `Content`, `EventId`, `EventTemplate` per line, in order).
 */
export interface LoghubSystem {
  readonly name: string;
  /** The message part of each line (the structured file's `Content`). */
  readonly contents: readonly string[];
  /** The raw log lines, headers included, when the `.log` file is present. */
  readonly rawLines: readonly string[] | undefined;
  readonly eventIds: readonly string[];
  readonly templates: readonly string[];
}

export const STRUCTURED_SUFFIX = '.log_structured_corrected.csv';
/** The original ICSE 2019 ground truth, against which Drain's published figures were measured. */
export const ORIGINAL_STRUCTURED_SUFFIX = '.log_structured.csv';

/** Which ground truth to score against. */
export type GroundTruth = 'corrected' | 'original';

const suffixOf = (truth: GroundTruth): string => (truth === 'original' ? ORIGINAL_STRUCTURED_SUFFIX : STRUCTURED_SUFFIX);

/** Systems of a Loghub-layout folder: sub-folders holding a corrected structured file, sorted. */
export function listLoghubSystems(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`loghub: ${dir} is not a folder`);
  const systems: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const sub = join(dir, name);
    if (!statSync(sub).isDirectory()) continue;
    if (readdirSync(sub).some((f) => f.endsWith(STRUCTURED_SUFFIX))) systems.push(name);
  }
  if (systems.length === 0) throw new Error(`loghub: no system folder with a *${STRUCTURED_SUFFIX} file in ${dir}`);
  return systems;
}

export function loadLoghubSystem(dir: string, name: string, truth: GroundTruth = 'corrected'): LoghubSystem {
  const sub = join(dir, name);
  const suffix = suffixOf(truth);
  const structured = readdirSync(sub).find((f) => f.endsWith(suffix));
  if (!structured) throw new Error(`loghub: no *${suffix} in ${sub}`);
  const what = join(sub, structured);
  const columns = parseCsvColumns(readFileSync(what, 'utf8'), what);
  const column = (key: string): string[] => {
    const c = columns.get(key);
    if (!c) throw new Error(`${what}: no ${key} column (has ${[...columns.keys()].join(', ')})`);
    return c;
  };
  const contents = column('Content');
  const eventIds = column('EventId');
  const templates = column('EventTemplate');
  const logFile = join(sub, structured.slice(0, -suffix.length) + '.log');
  let rawLines: string[] | undefined;
  if (existsSync(logFile)) {
    rawLines = readFileSync(logFile, 'utf8').split(/\r?\n/);
    if (rawLines.length > 0 && rawLines[rawLines.length - 1] === '') rawLines.pop();
    if (rawLines.length !== contents.length) {
      throw new Error(`loghub: ${logFile} has ${rawLines.length} lines, ${what} has ${contents.length} rows`);
    }
  }
  return { name, contents, rawLines, eventIds, templates };
}

/** How ground-truth groups are keyed: by template string (Loghub-2.0) or by EventId (logparser). */
export type GroupKey = 'template' | 'event-id';

/** A parser under evaluation: given the lines of one system in order, one group key and template per line. */
export type LogParser = (lines: readonly string[]) => { groups: readonly string[]; templates: readonly string[] };

export function scoreSystem(system: LoghubSystem, parsed: ReturnType<LogParser>, groupKey: GroupKey): ParsingScores {
  const truthGroups = groupKey === 'template' ? system.templates : system.eventIds;
  return scoreParsing(truthGroups, parsed.groups, system.templates, parsed.templates);
}

/**
 * Published grouping accuracy of Drain on Loghub-2k (Zhu et al., "Tools and Benchmarks for
 * Automated Log Parsing", ICSE-SEIP 2019, Table 3): original ground truth, with per-system
 * preprocessing regexes and settings. The mean is over all 16 Loghub systems.
 */
export const DRAIN_PUBLISHED_GA: Readonly<Record<string, number>> = {
  HDFS: 0.998,
  Hadoop: 0.948,
  Spark: 0.92,
  Zookeeper: 0.967,
  BGL: 0.963,
  HPC: 0.887,
  Thunderbird: 0.955,
  Linux: 0.69,
  Apache: 1.0,
  OpenSSH: 0.788,
};
export const DRAIN_PUBLISHED_MEAN_GA = 0.865;
/** Brain (Yu et al., IEEE TSC 2023): mean grouping accuracy over the 16 Loghub-2k systems. */
export const BRAIN_PUBLISHED_MEAN_GA = 0.98;

export interface SystemResult {
  readonly name: string;
  readonly lines: number;
  /** Live patterns at the end of the system's stream. */
  readonly patterns: number;
  readonly scores: ParsingScores;
  /** Wall time spent mining (not loading or scoring). */
  readonly seconds: number;
}

export interface LoghubReport {
  readonly systems: readonly SystemResult[];
  readonly mean: { readonly groupingAccuracy: number; readonly f1: number; readonly parsingAccuracy: number };
  readonly groupKey: GroupKey;
  readonly truth: GroundTruth;
}

/**
 * Runs a fresh miner over every system of a Loghub-layout folder, line by line in file order,
 * and scores it. A line's group is the id it was given on arrival, followed through later
 * merges; its template is its pattern's final template (as logparser's benchmark reports them).
 */
export function evaluateLoghub(
  dataDir: string,
  options: { groupKey?: GroupKey; truth?: GroundTruth; minerOptions?: Partial<MinerOptions>; only?: readonly string[] } = {},
): LoghubReport {
  const groupKey = options.groupKey ?? 'template';
  const truth = options.truth ?? 'corrected';
  let names = listLoghubSystems(dataDir);
  if (options.only) {
    const unknown = options.only.filter((n) => !names.includes(n));
    if (unknown.length > 0) throw new Error(`loghub: no system ${unknown.join(', ')} in ${dataDir} (has ${names.join(', ')})`);
    names = names.filter((n) => options.only!.includes(n));
  }
  const systems: SystemResult[] = [];
  for (const name of names) {
    const system = loadLoghubSystem(dataDir, name, truth);
    const miner = new PatternMiner(options.minerOptions);
    const ids = new Int32Array(system.contents.length);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < system.contents.length; i++) ids[i] = miner.add(system.contents[i]!);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const groups: string[] = new Array<string>(ids.length);
    const templates: string[] = new Array<string>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = miner.resolve(ids[i]!);
      groups[i] = String(id);
      templates[i] = miner.template(id) ?? '';
    }
    systems.push({ name, lines: ids.length, patterns: miner.size, scores: scoreSystem(system, { groups, templates }, groupKey), seconds });
  }
  const mean = (f: (s: ParsingScores) => number): number => systems.reduce((a, s) => a + f(s.scores), 0) / systems.length;
  return {
    systems,
    mean: { groupingAccuracy: mean((s) => s.groupingAccuracy), f1: mean((s) => s.f1), parsingAccuracy: mean((s) => s.parsingAccuracy) },
    groupKey,
    truth,
  };
}
