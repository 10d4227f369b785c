import { InvalidRecordError } from './errors.js';
import { ROLES, type Role } from './records.js';

/** Tenant ids as the YAML configuration accepts them (a subset of what Mimir and Loki allow). */
export const TENANT_ID_PATTERN = /^[a-zA-Z0-9_.-]{1,150}$/;
/** Dashboard and folder uids, as Grafana allows them (so imported dashboards keep theirs). */
export const UID_PATTERN = /^[a-zA-Z0-9_-]{1,40}$/;
const LOGIN_PATTERN = /^[a-z0-9][a-z0-9_.@+-]{0,99}$/;
const LIMIT_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export function checkTenantId(id: string): string {
  if (!TENANT_ID_PATTERN.test(id)) {
    throw new InvalidRecordError(`tenant id ${JSON.stringify(id.slice(0, 200))} must match ${TENANT_ID_PATTERN}`);
  }
  return id;
}

export function checkUid(kind: 'dashboard' | 'folder', uid: string): string {
  if (!UID_PATTERN.test(uid)) throw new InvalidRecordError(`${kind} uid ${JSON.stringify(uid.slice(0, 200))} must match ${UID_PATTERN}`);
  return uid;
}

/** Logins compare case-insensitively, so they are stored lower-case. */
export function normalizeLogin(login: string): string {
  const normalized = login.trim().toLowerCase();
  if (!LOGIN_PATTERN.test(normalized)) {
    throw new InvalidRecordError(
      `login ${JSON.stringify(login.slice(0, 200))} must be 1-100 characters of letters, digits and _.@+- starting with a letter or digit`,
    );
  }
  return normalized;
}

export function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new InvalidRecordError(`role ${JSON.stringify(role)} must be one of ${ROLES.join(', ')}`);
  }
  return role as Role;
}

export function checkText(field: string, value: string, max: number, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '') || value.length > max) {
    throw new InvalidRecordError(`${field} must be ${allowEmpty ? '' : 'a non-empty '}text of at most ${max} characters`);
  }
  return value;
}

export function checkTags(tags: readonly string[]): string[] {
  const unique = [...new Set(tags.map((t) => t.trim()))];
  if (unique.length > 50) throw new InvalidRecordError(`a dashboard may have at most 50 tags, got ${unique.length}`);
  for (const tag of unique) checkText('tag', tag, 100);
  return unique;
}

export function checkLimits(limits: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(limits)) {
    if (!LIMIT_NAME.test(name)) throw new InvalidRecordError(`limit name ${JSON.stringify(name)} must be snake_case (${LIMIT_NAME})`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidRecordError(`limit ${name} must be a finite number >= 0, got ${JSON.stringify(value)}`);
    }
    out[name] = value;
  }
  return out;
}

/** The JSON model of a dashboard must be a JSON object; its text is kept as given. */
export function checkDashboardModel(model: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(model);
  } catch (err) {
    throw new InvalidRecordError(`dashboard model is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidRecordError('dashboard model must be a JSON object');
  }
  if (model.length > 8 * 1024 * 1024) throw new InvalidRecordError('dashboard model must be at most 8 MiB');
  return model;
}
