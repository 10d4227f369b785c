import { GraphqlError } from '../../../core/graphql-client';
import { ROLES, type LimitValue, type Me, type Role, type Tenant, type TenantSettings } from '../api/admin-documents';

/**
 * What the admin forms check before anything is sent, and how values are shown and read back.
 * The server checks everything again (the same rules as the REST API); these checks only spare
 * a round trip and point at the field. Plain functions, unit-tested in Node.
 */

/** A form's outcome: the value to send, or a message per field. */
export type FormResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: Readonly<Record<string, string>> };

function result<T>(errors: Record<string, string>, value: () => T): FormResult<T> {
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: value() };
}

/** As the metadata store requires (libs/metadata TENANT_ID_PATTERN). */
export const TENANT_ID_PATTERN = /^[a-zA-Z0-9_.-]{1,150}$/;

export function tenantForm(input: { readonly id: string; readonly name: string }): FormResult<{ id: string; name?: string }> {
  const id = input.id.trim();
  const name = input.name.trim();
  const errors: Record<string, string> = {};
  if (id === '') errors['id'] = 'Enter a tenant id.';
  else if (!TENANT_ID_PATTERN.test(id)) errors['id'] = 'Use up to 150 letters, digits, dots, dashes and underscores.';
  if (name.length > 200) errors['name'] = 'Use at most 200 characters.';
  return result(errors, () => ({ id, ...(name !== '' ? { name } : {}) }));
}

export function renameForm(name: string): FormResult<string> {
  const trimmed = name.trim();
  const errors: Record<string, string> = {};
  if (trimmed === '') errors['name'] = 'Enter a name.';
  else if (trimmed.length > 200) errors['name'] = 'Use at most 200 characters.';
  return result(errors, () => trimmed);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function inviteForm(input: {
  readonly login: string;
  readonly role: string;
  readonly name: string;
  readonly email: string;
  readonly password: string;
}): FormResult<{ login: string; role: Role; name?: string; email?: string; password?: string }> {
  const login = input.login.trim();
  const name = input.name.trim();
  const email = input.email.trim();
  const errors: Record<string, string> = {};
  if (login === '') errors['login'] = 'Enter a login.';
  else if (login.length > 100) errors['login'] = 'Use at most 100 characters.';
  if (!isRole(input.role)) errors['role'] = 'Choose a role.';
  if (name.length > 200) errors['name'] = 'Use at most 200 characters.';
  if (email !== '' && !EMAIL.test(email)) errors['email'] = 'Enter an e-mail address, or leave it empty.';
  return result(errors, () => ({
    login,
    role: input.role as Role,
    ...(name !== '' ? { name } : {}),
    ...(email !== '' ? { email } : {}),
    ...(input.password !== '' ? { password: input.password } : {}),
  }));
}

/**
 * A key's expiry from a date field (`YYYY-MM-DD`): the end of that day in the browser's time
 * zone, which is what a person means by "valid until". Empty: no expiry.
 */
export function keyForm(
  input: { readonly name: string; readonly role: string; readonly expires: string; readonly extraTenants: readonly string[] },
  now: number,
): FormResult<{ name: string; role: Role; expiresAt: number | null; extraTenants: string[] }> {
  const name = input.name.trim();
  const errors: Record<string, string> = {};
  if (name === '') errors['name'] = 'Enter a name that says where the key is used.';
  else if (name.length > 200) errors['name'] = 'Use at most 200 characters.';
  if (!isRole(input.role)) errors['role'] = 'Choose a role.';
  let expiresAt: number | null = null;
  if (input.expires !== '') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.expires);
    const day = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59, 999) : undefined;
    if (!m || day === undefined || Number.isNaN(day.getTime()) || day.getDate() !== Number(m[3])) errors['expires'] = 'Enter a date, or leave it empty for no expiry.';
    else if (day.getTime() <= now) errors['expires'] = 'Choose a day in the future.';
    else expiresAt = day.getTime();
  }
  return result(errors, () => ({ name, role: input.role as Role, expiresAt, extraTenants: [...new Set(input.extraTenants)] }));
}

// --- limits and retention ---------------------------------------------------------------

export type LimitUnit = 'count' | 'per-second' | 'duration' | 'bytes' | 'characters';

export interface LimitInfo {
  readonly label: string;
  readonly unit: LimitUnit;
  /** 0 is allowed: it switches the limit off (or, for the burst, means one second of the rate). */
  readonly zeroIsUnlimited: boolean;
}

/** The limits of `limits.tenants.<id>` (docs/configuration.md), as the form labels them. */
export const LIMITS: Readonly<Record<string, LimitInfo>> = {
  ingestion_rate: { label: 'Ingestion rate (samples/s)', unit: 'per-second', zeroIsUnlimited: true },
  // 0: one second of the rate; shown as its number rather than "unlimited".
  ingestion_burst: { label: 'Ingestion burst (samples)', unit: 'count', zeroIsUnlimited: true },
  max_active_series: { label: 'Active series', unit: 'count', zeroIsUnlimited: true },
  max_labels_per_series: { label: 'Labels per series', unit: 'count', zeroIsUnlimited: false },
  max_label_name_length: { label: 'Label name length (bytes)', unit: 'characters', zeroIsUnlimited: false },
  max_label_value_length: { label: 'Label value length (bytes)', unit: 'characters', zeroIsUnlimited: false },
  max_request_size: { label: 'Request size', unit: 'bytes', zeroIsUnlimited: false },
  query_max_samples: { label: 'Samples per query', unit: 'count', zeroIsUnlimited: false },
  query_timeout: { label: 'Query timeout', unit: 'duration', zeroIsUnlimited: false },
  query_max_series: { label: 'Series per selector', unit: 'count', zeroIsUnlimited: true },
  query_max_range: { label: 'Query range', unit: 'duration', zeroIsUnlimited: true },
};

export function limitInfo(name: string): LimitInfo {
  return LIMITS[name] ?? { label: name, unit: 'count', zeroIsUnlimited: false };
}

const DURATION_UNITS: readonly [string, number][] = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];
const BYTE_UNITS: readonly [string, number][] = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
  ['B', 1],
];

/** `90s`, `2m`, `1h30m`, `7d`, `250ms`; a bare number is milliseconds. Undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (t === '' || !/^(\d+(ms|[smhdw]))+$/.test(t)) return undefined;
  let total = 0;
  for (const [, n, unit] of t.matchAll(/(\d+)(ms|[smhdw])/g)) total += Number(n) * DURATION_UNITS.find(([u]) => u === unit)![1];
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The largest units that add up exactly: 5400000 → `1h30m`; weeks are read but shown as days. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of DURATION_UNITS) {
    if (unit === 'w') continue;
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/** `4MiB`, `512 KiB`, `1GiB`; a bare number is bytes. */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(GiB|MiB|KiB|B)?$/.exec(text.trim());
  if (!m) return undefined;
  const size = BYTE_UNITS.find(([u]) => u === (m[2] ?? 'B'))![1];
  const bytes = Math.round(Number(m[1]) * size);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function formatBytes(bytes: number): string {
  for (const [unit, size] of BYTE_UNITS) if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return `${bytes}B`;
}

/** A limit's value as the form shows it. */
export function formatLimit(name: string, value: number): string {
  const unit = limitInfo(name).unit;
  if (unit === 'duration') return formatDuration(value);
  if (unit === 'bytes') return formatBytes(value);
  return String(value);
}

/** The form's text per limit name, from what is stored (empty: the configured value applies). */
export function settingsFields(settings: TenantSettings): { limits: Record<string, string>; retention: string } {
  const limits: Record<string, string> = {};
  for (const { name } of settings.effective) limits[name] = '';
  for (const { name, value } of settings.limits) limits[name] = formatLimit(name, value);
  return { limits, retention: settings.retentionMs === null ? '' : formatDuration(settings.retentionMs) };
}

/** Reads the form back: empty fields are left to the configuration. */
export function limitsForm(input: { readonly limits: Readonly<Record<string, string>>; readonly retention: string }): FormResult<{ limits: LimitValue[]; retentionMs: number | null }> {
  const errors: Record<string, string> = {};
  const limits: LimitValue[] = [];
  for (const [name, raw] of Object.entries(input.limits)) {
    if (raw.trim() === '') continue;
    const info = limitInfo(name);
    const value = info.unit === 'duration' ? parseDuration(raw) : info.unit === 'bytes' ? parseBytes(raw) : /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : undefined;
    if (value === undefined) {
      errors[name] =
        info.unit === 'duration' ? 'Enter a duration such as 30s, 2m or 1h.' : info.unit === 'bytes' ? 'Enter a size such as 512KiB or 4MiB.' : 'Enter a number of zero or more.';
    } else if (value === 0 && !info.zeroIsUnlimited) {
      errors[name] = 'Must be more than zero.';
    } else {
      limits.push({ name, value });
    }
  }
  let retentionMs: number | null = null;
  if (input.retention.trim() !== '') {
    const ms = parseDuration(input.retention);
    if (ms === undefined || ms <= 0) errors['retention'] = 'Enter a duration such as 15d or 8w, or leave it empty for the configured retention.';
    else retentionMs = ms;
  }
  return result(errors, () => ({ limits, retentionMs }));
}

// --- who administers what ---------------------------------------------------------------------

/** Tenants whose members, keys and limits the caller manages: all for a server admin. */
export function administrableTenants(me: Me, tenants: readonly Tenant[]): Tenant[] {
  if (!me.canAdminister) return [];
  return tenants.filter((t) => me.serverAdmin || t.role === 'admin').sort((a, b) => a.id.localeCompare(b.id));
}

/** The tenant to show: the one asked for if administrable, else the first. */
export function chooseTenant(requested: string | null | undefined, tenants: readonly Tenant[]): string | null {
  if (requested && tenants.some((t) => t.id === requested)) return requested;
  return tenants[0]?.id ?? null;
}

/** Roles the caller may hand out in a tenant: up to their own (server admins: all). */
export function grantableRoles(me: Me, tenantId: string): Role[] {
  if (me.serverAdmin) return [...ROLES];
  const own = me.tenants.find((t) => t.tenantId === tenantId)?.role;
  return own === undefined ? [] : ROLES.slice(0, ROLES.indexOf(own) + 1);
}

/** "in 3 days", "2 hours ago": for expiry and last use in tables. */
export function relativeTime(at: number | null, now: number, never = 'never'): string {
  if (at === null) return never;
  const diff = at - now;
  const abs = Math.abs(diff);
  const [n, unit] =
    abs < 60_000 ? [0, 'minute'] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'minute'] : abs < 86_400_000 ? [Math.round(abs / 3_600_000), 'hour'] : [Math.round(abs / 86_400_000), 'day'];
  if (n === 0) return 'just now';
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/**
 * A failed operation as the page says it: the gateway's message, prefixed where the code
 * tells the person what to do next.
 */
export function errorText(err: unknown): string {
  if (err instanceof GraphqlError) {
    switch (err.code) {
      case 'FORBIDDEN':
        return `Not allowed: ${err.message}`;
      case 'VERSION_CONFLICT':
        return 'Someone saved these settings after you opened them. Reload to see their values, then apply your change again.';
      case 'ALREADY_EXISTS':
        return `Already exists: ${err.message}`;
      case 'UNAVAILABLE':
        return `Pharos cannot do this right now: ${err.message}`;
      default:
        return err.message;
    }
  }
  return err instanceof Error ? err.message : String(err);
}
