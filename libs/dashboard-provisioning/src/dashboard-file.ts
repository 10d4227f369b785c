import { DashboardModelError, parseDashboardModel, serializeDashboardModel } from '#pharos/dashboard-model';
import { TENANT_ID_PATTERN, UID_PATTERN } from '#pharos/metadata';

/**
 * One dashboard as a provisioning file declares it, validated and with the model normalised
 * (`parseDashboardModel`, then serialised), so that what is stored is what the console reads.
 */
export interface DashboardDefinition {
  readonly tenant: string;
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  /** Folder title in the tenant (created when missing), or null for the root. */
  readonly folder: string | null;
  /** The model as stored: `serializeDashboardModel` of the validated model. */
  readonly model: string;
}

/** A file that cannot be provisioned; the message says why, `field` names where when known. */
export class DashboardFileError extends Error {
  override readonly name = 'DashboardFileError';
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether a parsed JSON document is a Grafana dashboard rather than the Pharos export form:
 * no `model` key, a `panels` or `rows` list and a Grafana `schemaVersion` (a number above 1;
 * Pharos models are version 1), at the top or inside an API export's `{ dashboard, meta }`.
 */
export function looksLikeGrafanaDashboard(doc: unknown): boolean {
  if (!isObj(doc) || 'model' in doc) return false;
  const dash = isObj(doc['dashboard']) && doc['panels'] === undefined && doc['rows'] === undefined ? doc['dashboard'] : doc;
  const v = dash['schemaVersion'];
  return typeof v === 'number' && v > 1 && (Array.isArray(dash['panels']) || Array.isArray(dash['rows']));
}

/**
 * Reads the Pharos export form: `{ "title", "uid", "tags"?, "folder"?, "tenant"?, "model" }`
 * (docs/dashboards.md). Throws {@link DashboardFileError} naming the field.
 */
export function parseDashboardFile(doc: unknown, defaultTenant: string): DashboardDefinition {
  if (!isObj(doc)) throw new DashboardFileError('expected a JSON object with title, uid and model');
  for (const key of Object.keys(doc)) {
    if (!['title', 'uid', 'tags', 'folder', 'tenant', 'model'].includes(key)) {
      throw new DashboardFileError(`${key}: unknown key (expected title, uid, tags, folder, tenant, model)`);
    }
  }
  const title = doc['title'];
  if (typeof title !== 'string' || title.trim() === '' || title.length > 255) throw new DashboardFileError('title: expected non-empty text of at most 255 characters');
  const uid = doc['uid'];
  if (typeof uid !== 'string' || !UID_PATTERN.test(uid)) {
    throw new DashboardFileError(`uid: expected 1-40 letters, digits, "_" or "-" (a provisioned dashboard needs a stable uid), got ${JSON.stringify(uid)}`);
  }
  const tags = doc['tags'] ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t.trim() !== '' && t.length <= 100)) {
    throw new DashboardFileError('tags: expected a list of non-empty strings of at most 100 characters');
  }
  const folder = doc['folder'] ?? null;
  if (folder !== null && (typeof folder !== 'string' || folder.trim() === '' || folder.length > 255)) {
    throw new DashboardFileError('folder: expected the title of a folder (non-empty text of at most 255 characters)');
  }
  const tenant = doc['tenant'] ?? defaultTenant;
  if (typeof tenant !== 'string' || !TENANT_ID_PATTERN.test(tenant)) {
    throw new DashboardFileError(`tenant: expected a tenant id matching ${TENANT_ID_PATTERN}, got ${JSON.stringify(tenant)}`);
  }
  if (!('model' in doc)) throw new DashboardFileError('model: missing (the dashboard JSON model, see docs/dashboards.md)');
  let model: string;
  try {
    model = serializeDashboardModel(parseDashboardModel(doc['model']));
  } catch (err) {
    if (err instanceof DashboardModelError) {
      const problem = err.message.slice(err.path.length + 2);
      throw new DashboardFileError(`model${err.path === '$' ? '' : err.path.replace(/^\$/, '')}: ${problem}`);
    }
    throw err;
  }
  return { tenant, uid, title, tags: [...new Set(tags as string[])], folder: folder as string | null, model };
}
