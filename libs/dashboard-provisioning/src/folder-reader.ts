import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GrafanaImportError, convertGrafanaDashboard } from '#pharos/dashboard-model';
import { DashboardFileError, looksLikeGrafanaDashboard, parseDashboardFile, type DashboardDefinition } from './dashboard-file.js';

/** A file of the folder that became a dashboard definition. */
export interface ProvisionedFile {
  readonly path: string;
  /** SHA-256 of the file's bytes: a changed file is one whose checksum changed. */
  readonly checksum: string;
  readonly dashboard: DashboardDefinition;
  /** Things a Grafana conversion could not carry over, to be logged. */
  readonly warnings: readonly string[];
}

/** A file that could not be read or did not validate. */
export interface FileProblem {
  readonly path: string;
  readonly reason: string;
}

export interface FolderScan {
  readonly files: readonly ProvisionedFile[];
  readonly problems: readonly FileProblem[];
  /** Paths of every `*.json` file found, valid or not (removal must not touch an invalid file's dashboard). */
  readonly seen: readonly string[];
}

/** Largest dashboard file read (a model is at most 8 MiB in the store). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Reads every `*.json` file directly in `dir` (sorted by name, so duplicates resolve the same
 * way every time): the Pharos export form, or Grafana dashboard JSON (converted by
 * `convertGrafanaDashboard`; its warnings come back with the file).
 * A file that cannot be read, parsed or validated is a problem naming its path and reason and
 * never stops the others. Throws only when the folder itself cannot be listed.
 */
export async function readProvisioningFolder(dir: string, defaultTenant: string): Promise<FolderScan> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.json') && !e.name.startsWith('.')).map((e) => e.name).sort();
  const files: ProvisionedFile[] = [];
  const problems: FileProblem[] = [];
  const seen: string[] = [];
  const byKey = new Map<string, string>();
  for (const name of names) {
    const path = join(dir, name);
    seen.push(path);
    try {
      const file = await readDashboardFile(path, defaultTenant);
      const key = `${file.dashboard.tenant}\u0000${file.dashboard.uid}`;
      const first = byKey.get(key);
      if (first !== undefined) throw new DashboardFileError(`uid ${JSON.stringify(file.dashboard.uid)} of tenant ${JSON.stringify(file.dashboard.tenant)} is already provisioned by ${first}`);
      byKey.set(key, path);
      files.push(file);
    } catch (err) {
      problems.push({ path, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { files, problems, seen };
}

async function readDashboardFile(path: string, defaultTenant: string): Promise<ProvisionedFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new DashboardFileError(`cannot read the file: ${(err as Error).message}`);
  }
  if (bytes.length > MAX_FILE_BYTES) throw new DashboardFileError(`the file has ${bytes.length} bytes; at most ${MAX_FILE_BYTES} are read`);
  const checksum = createHash('sha256').update(bytes).digest('hex');
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new DashboardFileError(`not valid JSON: ${(err as Error).message}`);
  }
  if (looksLikeGrafanaDashboard(doc)) return { path, checksum, ...fromGrafana(doc as Record<string, unknown>, defaultTenant) };
  return { path, checksum, dashboard: parseDashboardFile(doc, defaultTenant), warnings: [] };
}

/**
 * A Grafana dashboard file: converted, then validated as the Pharos form would be. Its uid is
 * required (a provisioned dashboard must keep its identity across reads); a top-level
 * `tenant` key, which Grafana ignores, chooses the tenant.
 */
function fromGrafana(doc: Record<string, unknown>, defaultTenant: string): { dashboard: DashboardDefinition; warnings: string[] } {
  let converted;
  try {
    converted = convertGrafanaDashboard(doc);
  } catch (err) {
    if (err instanceof GrafanaImportError) throw new DashboardFileError(`Grafana dashboard: ${err.message}`);
    throw err;
  }
  if (converted.uid === null) throw new DashboardFileError('Grafana dashboard: uid: missing; a provisioned dashboard needs a stable uid');
  const tenant = doc['tenant'];
  const dashboard = parseDashboardFile(
    { title: converted.title, uid: converted.uid, tags: converted.tags, model: converted.model, ...(tenant !== undefined ? { tenant } : {}) },
    defaultTenant,
  );
  return { dashboard, warnings: converted.warnings.map((w) => `${w.path}: ${w.message}`) };
}
