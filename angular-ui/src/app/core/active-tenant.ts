import { Injectable, computed, inject, signal } from '@angular/core';
import { AuthSession, type TenantRole } from './auth-session';
import { chooseTenant } from './tenant-choice';

const TENANT_KEY = 'pharos.tenant';

/**
 * The tenant the console acts in. `ApiFetch` and the subscription client send it as
 * `X-Scope-OrgID` when the user belongs to several tenants; the shell offers the choice.
 */
@Injectable({ providedIn: 'root' })
export class ActiveTenant {
  private readonly auth = inject(AuthSession);
  private readonly stored = signal<string | null>(readStored());

  /** The user's tenants with roles (empty with auth off, or for an API key). */
  readonly tenants = computed<readonly TenantRole[]>(() => {
    const s = this.auth.state();
    return s.kind === 'user' ? (s.tenants ?? []) : [];
  });

  /** The tenant to name in `X-Scope-OrgID`, or null when the API needs none. */
  readonly tenant = computed(() => chooseTenant(this.tenants(), this.stored()));

  /** The role in the active tenant (or the only one). */
  readonly role = computed(() => {
    const ts = this.tenants();
    const t = this.tenant();
    return (t === null ? ts[0] : ts.find((x) => x.id === t))?.role ?? null;
  });

  select(tenant: string): void {
    this.stored.set(tenant);
    try {
      localStorage.setItem(TENANT_KEY, tenant);
    } catch {
      // Without storage the choice lasts for this page.
    }
  }
}

function readStored(): string | null {
  try {
    return localStorage.getItem(TENANT_KEY);
  } catch {
    return null;
  }
}
