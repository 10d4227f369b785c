import type { TenantRole } from './auth-session';

/**
 * Which tenant the console acts in for a user who belongs to several. The API takes the
 * credential's only tenant by itself, but a user of several must name one in `X-Scope-OrgID`
 * on every request (it answers 400 otherwise), as Grafana users pick an organisation.
 * Returns null when no header is needed (one tenant, or none known).
 */
export function chooseTenant(tenants: readonly TenantRole[] | undefined, stored: string | null): string | null {
  if (!tenants || tenants.length <= 1) return null;
  if (stored !== null && tenants.some((t) => t.id === stored)) return stored;
  // The default tenant first, as single-user installs and Mimir/Loki clients expect; else the
  // first in name order, so the choice is stable across logins.
  if (tenants.some((t) => t.id === 'default')) return 'default';
  return [...tenants].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0]!.id;
}
