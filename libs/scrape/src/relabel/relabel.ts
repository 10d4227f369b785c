import { createHash } from 'node:crypto';
import { compileAnchoredRE2, expandTemplate, RE2SyntaxError, type CompiledRE2 } from '#pharos/metric-model';
import { ScrapeConfigError } from '../errors.js';

export type RelabelAction =
  | 'replace'
  | 'keep'
  | 'drop'
  | 'keepequal'
  | 'dropequal'
  | 'hashmod'
  | 'labelmap'
  | 'labeldrop'
  | 'labelkeep'
  | 'lowercase'
  | 'uppercase';

const ACTIONS: readonly RelabelAction[] = ['replace', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase'];

/** One `relabel_configs` / `metric_relabel_configs` entry, validated and compiled. */
export interface RelabelConfig {
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  readonly regex: CompiledRE2;
  readonly modulus: number;
  readonly targetLabel: string;
  readonly replacement: string;
  readonly action: RelabelAction;
}

const DEFAULT_REGEX = '(.*)';
const DEFAULT_SEPARATOR = ';';
const DEFAULT_REPLACEMENT = '$1';
const KEYS = new Set(['source_labels', 'separator', 'regex', 'modulus', 'target_label', 'replacement', 'action']);

/**
 * Parses a YAML list of relabel rules with Prometheus' defaults and validation
 * (model/relabel: `Config.Validate`); `where` prefixes every error.
 */
export function parseRelabelConfigs(raw: unknown, where: string): RelabelConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ScrapeConfigError(`${where}: expected a list of relabel rules`);
  return raw.map((r, i) => parseRelabelConfig(r, `${where}[${i}]`));
}

function parseRelabelConfig(raw: unknown, where: string): RelabelConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ScrapeConfigError(`${where}: expected a mapping`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KEYS.has(k)) throw new ScrapeConfigError(`${where}: unknown key "${k}" (expected one of ${[...KEYS].join(', ')})`);
  const str = (key: string, dflt: string): string => {
    const v = r[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new ScrapeConfigError(`${where}.${key}: expected a string`);
  };
  const actionText = str('action', 'replace').toLowerCase();
  if (!(ACTIONS as readonly string[]).includes(actionText)) {
    throw new ScrapeConfigError(`${where}.action: unknown relabel action "${actionText}" (expected one of ${ACTIONS.join(', ')})`);
  }
  const action = actionText as RelabelAction;
  let sourceLabels: string[] = [];
  const sl = r['source_labels'];
  if (sl !== undefined && sl !== null) {
    if (!Array.isArray(sl) || !sl.every((x) => typeof x === 'string')) throw new ScrapeConfigError(`${where}.source_labels: expected a list of label names`);
    sourceLabels = sl as string[];
  }
  const regexSource = str('regex', DEFAULT_REGEX);
  let regex: CompiledRE2;
  try {
    regex = compileAnchoredRE2(regexSource);
  } catch (err) {
    if (err instanceof RE2SyntaxError) throw new ScrapeConfigError(`${where}.regex: error parsing regexp: ${err.message}`);
    throw err;
  }
  const modRaw = r['modulus'];
  if (modRaw !== undefined && modRaw !== null && (typeof modRaw !== 'number' || !Number.isInteger(modRaw) || modRaw < 0)) {
    throw new ScrapeConfigError(`${where}.modulus: expected a non-negative integer`);
  }
  const cfg: RelabelConfig = {
    sourceLabels,
    separator: str('separator', DEFAULT_SEPARATOR),
    regex,
    modulus: typeof modRaw === 'number' ? modRaw : 0,
    targetLabel: str('target_label', ''),
    replacement: str('replacement', DEFAULT_REPLACEMENT),
    action,
  };
  validate(cfg, regexSource, r, where);
  return cfg;
}

function validate(c: RelabelConfig, regexSource: string, raw: Record<string, unknown>, where: string): void {
  const fail = (m: string): never => {
    throw new ScrapeConfigError(`${where}: ${m}`);
  };
  if (c.action === 'hashmod' && c.modulus === 0) fail('relabel configuration for hashmod requires non-zero modulus');
  const needsTarget: RelabelAction[] = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
  if (needsTarget.includes(c.action) && c.targetLabel === '') fail(`relabel configuration for ${c.action} action requires 'target_label' value`);
  if (['lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(c.action) && c.replacement !== DEFAULT_REPLACEMENT) {
    fail(`'replacement' can not be set for ${c.action} action`);
  }
  if (c.action === 'labelmap' && c.replacement === '') fail(`"" is invalid 'replacement' for labelmap action`);
  if (c.action === 'dropequal' || c.action === 'keepequal') {
    if (regexSource !== DEFAULT_REGEX || c.modulus !== 0 || c.separator !== DEFAULT_SEPARATOR || c.replacement !== DEFAULT_REPLACEMENT) {
      fail(`${c.action} action requires only 'source_labels' and \`target_label\`, and no other fields`);
    }
  }
  if (c.action === 'labeldrop' || c.action === 'labelkeep') {
    if (raw['source_labels'] !== undefined || c.targetLabel !== '' || c.modulus !== 0 || c.separator !== DEFAULT_SEPARATOR || c.replacement !== DEFAULT_REPLACEMENT) {
      fail(`${c.action} action requires only 'regex', and no other fields`);
    }
  }
}

/**
 * Applies rules to a mutable label set, as Prometheus' `relabel.ProcessBuilder`: returns false
 * when a rule drops the set. An empty value deletes a label (as labels.Builder.Set does).
 */
export function relabel(labels: Map<string, string>, configs: readonly RelabelConfig[]): boolean {
  for (const cfg of configs) if (!apply(cfg, labels)) return false;
  return true;
}

function set(labels: Map<string, string>, name: string, value: string): void {
  if (value === '') labels.delete(name);
  else labels.set(name, value);
}

function apply(cfg: RelabelConfig, labels: Map<string, string>): boolean {
  let val: string;
  if (cfg.sourceLabels.length === 1) val = labels.get(cfg.sourceLabels[0]!) ?? '';
  else val = cfg.sourceLabels.map((n) => labels.get(n) ?? '').join(cfg.separator);
  const re = cfg.regex.regex;
  switch (cfg.action) {
    case 'drop':
      return !re.test(val);
    case 'keep':
      return re.test(val);
    case 'dropequal':
      return (labels.get(cfg.targetLabel) ?? '') !== val;
    case 'keepequal':
      return (labels.get(cfg.targetLabel) ?? '') === val;
    case 'replace': {
      // Prometheus' fast path: a constant written to a fixed label.
      if (val === '' && cfg.regex.source === DEFAULT_REGEX && !cfg.targetLabel.includes('$') && !cfg.replacement.includes('$')) {
        set(labels, cfg.targetLabel, cfg.replacement);
        return true;
      }
      const m = re.exec(val);
      if (!m) return true;
      const target = expandTemplate(cfg.targetLabel, m, cfg.regex.groupNames);
      if (target === '') return true;
      set(labels, target, expandTemplate(cfg.replacement, m, cfg.regex.groupNames));
      return true;
    }
    case 'lowercase':
      set(labels, cfg.targetLabel, val.toLowerCase());
      return true;
    case 'uppercase':
      set(labels, cfg.targetLabel, val.toUpperCase());
      return true;
    case 'hashmod': {
      const digest = createHash('md5').update(val).digest();
      const mod = digest.readBigUInt64BE(8) % BigInt(cfg.modulus);
      set(labels, cfg.targetLabel, mod.toString());
      return true;
    }
    case 'labelmap': {
      for (const [name, value] of [...labels]) {
        const m = re.exec(name);
        if (m) set(labels, expandTemplate(cfg.replacement, m, cfg.regex.groupNames), value);
      }
      return true;
    }
    case 'labeldrop':
      for (const name of [...labels.keys()]) if (re.test(name)) labels.delete(name);
      return true;
    case 'labelkeep':
      for (const name of [...labels.keys()]) if (!re.test(name)) labels.delete(name);
      return true;
  }
}

/** Sorted flat labels from a map (empty values were already removed). */
export function mapToLabels(labels: ReadonlyMap<string, string>): string[] {
  const names = [...labels.keys()].sort();
  const out = new Array<string>(names.length * 2);
  for (let i = 0; i < names.length; i++) {
    out[2 * i] = names[i]!;
    out[2 * i + 1] = labels.get(names[i]!)!;
  }
  return out;
}

/** A map from flat labels. */
export function labelsToMap(labels: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < labels.length; i += 2) m.set(labels[i]!, labels[i + 1]!);
  return m;
}
