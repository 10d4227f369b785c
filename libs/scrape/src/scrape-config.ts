import { SCRAPE_PROTOCOLS, type ScrapeProtocol } from './exposition/content-type.js';
import { parsePromDuration } from './duration.js';
import { ScrapeConfigError } from './errors.js';
import { HTTP_CLIENT_KEYS, parseHttpClientConfig, type HttpClientConfig } from './http-client-config.js';
import { parseRelabelConfigs, type RelabelConfig } from './relabel/relabel.js';

/** A group of targets sharing labels, as static_configs, file_sd and http_sd give them. */
export interface TargetGroup {
  /** Identifies the group within its provider (file path and index, URL and index, …). */
  readonly source: string;
  /** One label set per target; `__address__` at least. */
  readonly targets: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly labels: Readonly<Record<string, string>>;
}

export interface FileSdConfig {
  readonly files: readonly string[];
  readonly refreshIntervalMs: number;
}

export interface HttpSdConfig {
  readonly url: string;
  readonly refreshIntervalMs: number;
  readonly http: HttpClientConfig;
}

/** Global defaults of every job (Prometheus' `global:` block; Pharos' `scrape.*` keys). */
export interface ScrapeDefaults {
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
}

/** One validated `scrape_configs` entry with Prometheus' defaults filled in. */
export interface ScrapeJobConfig {
  readonly jobName: string;
  /** Pharos extension: the tenant the job's samples belong to. */
  readonly tenant: string;
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  readonly metricsPath: string;
  readonly scheme: 'http' | 'https';
  readonly params: Readonly<Record<string, readonly string[]>>;
  readonly honorLabels: boolean;
  readonly honorTimestamps: boolean;
  readonly trackTimestampsStaleness: boolean;
  readonly scrapeProtocols: readonly ScrapeProtocol[];
  readonly fallbackScrapeProtocol: ScrapeProtocol | undefined;
  readonly enableCompression: boolean;
  readonly bodySizeLimit: number;
  readonly sampleLimit: number;
  readonly targetLimit: number;
  readonly labelLimit: number;
  readonly labelNameLengthLimit: number;
  readonly labelValueLengthLimit: number;
  readonly http: HttpClientConfig;
  readonly relabelConfigs: readonly RelabelConfig[];
  readonly metricRelabelConfigs: readonly RelabelConfig[];
  readonly staticConfigs: readonly TargetGroup[];
  readonly fileSdConfigs: readonly FileSdConfig[];
  readonly httpSdConfigs: readonly HttpSdConfig[];
  /** The raw mapping, to tell whether a reload changed the job. */
  readonly fingerprint: string;
}

const TENANT_ID = /^[a-zA-Z0-9_.-]{1,150}$/;

const JOB_KEYS = [
  'job_name',
  'tenant',
  'honor_labels',
  'honor_timestamps',
  'track_timestamps_staleness',
  'params',
  'scrape_interval',
  'scrape_timeout',
  'scrape_protocols',
  'fallback_scrape_protocol',
  'metrics_path',
  'scheme',
  'enable_compression',
  'body_size_limit',
  'sample_limit',
  'target_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'relabel_configs',
  'metric_relabel_configs',
  'static_configs',
  'file_sd_configs',
  'http_sd_configs',
  ...HTTP_CLIENT_KEYS,
];

type Raw = Record<string, unknown>;

function mapping(v: unknown, where: string): Raw {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ScrapeConfigError(`${where}: expected a mapping`);
  return v as Raw;
}

function list(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ScrapeConfigError(`${where}: expected a list`);
  return v;
}

function bool(r: Raw, key: string, dflt: boolean, where: string): boolean {
  const v = r[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new ScrapeConfigError(`${where}.${key}: expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

function uint(r: Raw, key: string, where: string): number {
  const v = r[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ScrapeConfigError(`${where}.${key}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function duration(r: Raw, key: string, where: string): number | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' ? parsePromDuration(v) : undefined;
  if (ms === undefined) throw new ScrapeConfigError(`${where}.${key}: not a valid duration string: ${JSON.stringify(v)} (e.g. 15s, 1m, 1h30m)`);
  return ms;
}

function str(r: Raw, key: string, dflt: string, where: string): string {
  const v = r[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string') throw new ScrapeConfigError(`${where}.${key}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

const SIZE = /^(\d+)(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/;
const SIZE_MULT: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

function byteSize(r: Raw, key: string, where: string): number {
  const v = r[key];
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  const m = typeof v === 'string' ? SIZE.exec(v.trim()) : null;
  if (!m) throw new ScrapeConfigError(`${where}.${key}: expected a size such as 10MB, got ${JSON.stringify(v)}`);
  return Number(m[1]) * SIZE_MULT[m[2] ?? 'B']!;
}

/** A target group from YAML/JSON (`targets`, `labels`), as static_configs and file_sd write it. */
export function parseTargetGroup(raw: unknown, source: string, where: string): TargetGroup {
  const g = mapping(raw, where);
  for (const k of Object.keys(g)) if (k !== 'targets' && k !== 'labels') throw new ScrapeConfigError(`${where}: unknown key "${k}" (expected targets, labels)`);
  const targets = list(g['targets'], `${where}.targets`).map((t, i) => {
    if (typeof t !== 'string' || t === '') throw new ScrapeConfigError(`${where}.targets[${i}]: expected a host:port string, got ${JSON.stringify(t)}`);
    checkAddress(t, `${where}.targets[${i}]`);
    return { __address__: t };
  });
  const labels: Record<string, string> = {};
  if (g['labels'] !== undefined && g['labels'] !== null) {
    for (const [k, v] of Object.entries(mapping(g['labels'], `${where}.labels`))) {
      if (typeof v !== 'string') throw new ScrapeConfigError(`${where}.labels.${k}: expected a string value, got ${JSON.stringify(v)}`);
      if (k === '') throw new ScrapeConfigError(`${where}.labels: empty label name`);
      labels[k] = v;
    }
  }
  return { source, targets, labels };
}

/** Prometheus' `CheckTargetAddress`: no scheme or path in `__address__`. */
export function checkAddress(address: string, where: string): void {
  if (address.includes('/')) throw new ScrapeConfigError(`${where}: ${JSON.stringify(address)} is not a valid hostname (no scheme or path allowed)`);
}

/**
 * Validates `scrape_configs` as Prometheus does (config.go `ScrapeConfig.Validate`), with
 * `tenant` per job. `where` names the source (file) in errors; job names must be unique.
 */
export function parseScrapeConfigs(raw: unknown, defaults: ScrapeDefaults, where: string): ScrapeJobConfig[] {
  const jobs = list(raw, `${where}: scrape_configs`).map((j, i) => parseScrapeJob(j, defaults, `${where}: scrape_configs[${i}]`));
  const seen = new Set<string>();
  for (const j of jobs) {
    if (seen.has(j.jobName)) throw new ScrapeConfigError(`${where}: scrape_configs: found multiple scrape configs with job name ${JSON.stringify(j.jobName)}`);
    seen.add(j.jobName);
  }
  return jobs;
}

export function parseScrapeJob(raw: unknown, defaults: ScrapeDefaults, whereIn: string): ScrapeJobConfig {
  const r = mapping(raw, whereIn);
  const jobName = str(r, 'job_name', '', whereIn);
  if (jobName === '') throw new ScrapeConfigError(`${whereIn}: job_name is empty`);
  const where = `${whereIn} (job ${JSON.stringify(jobName)})`;
  for (const k of Object.keys(r)) if (!JOB_KEYS.includes(k)) throw new ScrapeConfigError(`${where}: unknown key "${k}"`);
  const tenant = str(r, 'tenant', 'default', where);
  if (!TENANT_ID.test(tenant)) throw new ScrapeConfigError(`${where}.tenant: tenant id must match ${TENANT_ID}`);

  const interval = duration(r, 'scrape_interval', where) ?? defaults.scrapeIntervalMs;
  let timeout = duration(r, 'scrape_timeout', where);
  if (timeout === undefined) timeout = Math.min(defaults.scrapeTimeoutMs, interval);
  if (interval === 0) throw new ScrapeConfigError(`${where}.scrape_interval: must be greater than 0`);
  if (timeout === 0) throw new ScrapeConfigError(`${where}.scrape_timeout: must be greater than 0`);
  if (timeout > interval) throw new ScrapeConfigError(`${where}: scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(jobName)}`);

  const scheme = str(r, 'scheme', 'http', where);
  if (scheme !== 'http' && scheme !== 'https') throw new ScrapeConfigError(`${where}.scheme: expected http or https, got ${JSON.stringify(scheme)}`);
  const metricsPath = str(r, 'metrics_path', '/metrics', where);

  const params: Record<string, string[]> = {};
  if (r['params'] !== undefined && r['params'] !== null) {
    for (const [k, v] of Object.entries(mapping(r['params'], `${where}.params`))) {
      const values = Array.isArray(v) ? v : [v];
      if (!values.every((x) => typeof x === 'string')) throw new ScrapeConfigError(`${where}.params.${k}: expected a list of strings`);
      params[k] = values as string[];
    }
  }

  const protocolsRaw = r['scrape_protocols'];
  let scrapeProtocols: ScrapeProtocol[] = [...SCRAPE_PROTOCOLS];
  if (protocolsRaw !== undefined && protocolsRaw !== null) {
    const l = list(protocolsRaw, `${where}.scrape_protocols`);
    if (l.length === 0) throw new ScrapeConfigError(`${where}.scrape_protocols: cannot be empty`);
    scrapeProtocols = l.map((p) => protocol(p, `${where}.scrape_protocols`));
    if (new Set(scrapeProtocols.map((p) => p.toLowerCase())).size !== scrapeProtocols.length) {
      throw new ScrapeConfigError(`${where}.scrape_protocols: duplicated protocol in scrape_protocols, got ${JSON.stringify(l)}`);
    }
  }
  const fallbackRaw = r['fallback_scrape_protocol'];
  const fallbackScrapeProtocol = fallbackRaw === undefined || fallbackRaw === null || fallbackRaw === '' ? undefined : protocol(fallbackRaw, `${where}.fallback_scrape_protocol`);

  const http = parseHttpClientConfig(r, where);
  const staticConfigs = list(r['static_configs'], `${where}.static_configs`).map((g, i) => parseTargetGroup(g, `static/${i}`, `${where}.static_configs[${i}]`));
  const fileSdConfigs = list(r['file_sd_configs'], `${where}.file_sd_configs`).map((f, i) => parseFileSd(f, `${where}.file_sd_configs[${i}]`));
  const httpSdConfigs = list(r['http_sd_configs'], `${where}.http_sd_configs`).map((h, i) => parseHttpSd(h, `${where}.http_sd_configs[${i}]`));

  return {
    jobName,
    tenant,
    scrapeIntervalMs: interval,
    scrapeTimeoutMs: timeout,
    metricsPath,
    scheme,
    params,
    honorLabels: bool(r, 'honor_labels', false, where),
    honorTimestamps: bool(r, 'honor_timestamps', true, where),
    trackTimestampsStaleness: bool(r, 'track_timestamps_staleness', false, where),
    scrapeProtocols,
    fallbackScrapeProtocol,
    enableCompression: bool(r, 'enable_compression', true, where),
    bodySizeLimit: byteSize(r, 'body_size_limit', where),
    sampleLimit: uint(r, 'sample_limit', where),
    targetLimit: uint(r, 'target_limit', where),
    labelLimit: uint(r, 'label_limit', where),
    labelNameLengthLimit: uint(r, 'label_name_length_limit', where),
    labelValueLengthLimit: uint(r, 'label_value_length_limit', where),
    http,
    relabelConfigs: parseRelabelConfigs(r['relabel_configs'], `${where}.relabel_configs`),
    metricRelabelConfigs: parseRelabelConfigs(r['metric_relabel_configs'], `${where}.metric_relabel_configs`),
    staticConfigs,
    fileSdConfigs,
    httpSdConfigs,
    fingerprint: JSON.stringify([r, defaults]),
  };
}

function protocol(v: unknown, where: string): ScrapeProtocol {
  if (typeof v === 'string') {
    const found = SCRAPE_PROTOCOLS.find((p) => p.toLowerCase() === v.toLowerCase());
    if (found) return found;
  }
  throw new ScrapeConfigError(`${where}: unknown or unsupported scrape protocol ${JSON.stringify(v)}, supported: ${SCRAPE_PROTOCOLS.join(', ')}`);
}

function parseFileSd(raw: unknown, where: string): FileSdConfig {
  const r = mapping(raw, where);
  for (const k of Object.keys(r)) if (k !== 'files' && k !== 'refresh_interval') throw new ScrapeConfigError(`${where}: unknown key "${k}"`);
  const files = list(r['files'], `${where}.files`).map((f, i) => {
    if (typeof f !== 'string' || f === '') throw new ScrapeConfigError(`${where}.files[${i}]: expected a path`);
    if (!/\.(json|ya?ml)$/.test(f)) throw new ScrapeConfigError(`${where}.files[${i}]: path ${JSON.stringify(f)} is not valid for file discovery: it must end in .json, .yml or .yaml`);
    const dir = f.slice(0, f.lastIndexOf('/') + 1);
    if (/[*?[]/.test(dir)) throw new ScrapeConfigError(`${where}.files[${i}]: globs are only allowed in the last path component: ${JSON.stringify(f)}`);
    return f;
  });
  if (files.length === 0) throw new ScrapeConfigError(`${where}.files: file service discovery config must contain at least one path name`);
  return { files, refreshIntervalMs: duration(r, 'refresh_interval', where) ?? 5 * 60_000 };
}

function parseHttpSd(raw: unknown, where: string): HttpSdConfig {
  const r = mapping(raw, where);
  for (const k of Object.keys(r)) if (k !== 'url' && k !== 'refresh_interval' && !HTTP_CLIENT_KEYS.includes(k)) throw new ScrapeConfigError(`${where}: unknown key "${k}"`);
  const url = str(r, 'url', '', where);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ScrapeConfigError(`${where}.url: ${url === '' ? 'URL is missing' : `not a valid URL: ${JSON.stringify(url)}`}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ScrapeConfigError(`${where}.url: URL scheme must be 'http' or 'https'`);
  if (parsed.host === '') throw new ScrapeConfigError(`${where}.url: host is missing in URL`);
  return { url, refreshIntervalMs: duration(r, 'refresh_interval', where) ?? 60_000, http: parseHttpClientConfig(r, where) };
}
