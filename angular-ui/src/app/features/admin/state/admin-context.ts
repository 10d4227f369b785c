import { Injectable, computed, inject, signal } from '@angular/core';
import { AdminApi } from '../api/admin-api';
import type { Me, Tenant } from '../api/admin-documents';
import { administrableTenants, chooseTenant, errorText } from './admin-forms';

/**
 * The admin pages' shared view state (provided by the /admin route, so it lives as long as
 * those pages): the caller, the tenants they administer and the one picked in the tenant picker.
 */
@Injectable()
export class AdminContext {
  private readonly api = inject(AdminApi);
  readonly me = signal<Me | null>(null);
  readonly tenants = signal<Tenant[]>([]);
  readonly loading = signal(true);
  readonly error = signal<string | null>(null);
  private readonly picked = signal<string | null>(null);
  /** The administrable tenants, for the picker. */
  readonly administrable = computed(() => {
    const me = this.me();
    return me === null ? [] : administrableTenants(me, this.tenants());
  });
  /** The tenant the members, keys and limits pages act on. */
  readonly tenant = computed(() => chooseTenant(this.picked(), this.administrable()));

  async load(requestedTenant: string | null): Promise<void> {
    this.loading.set(true);
    this.error.set(null);
    try {
      const me = await this.api.me();
      this.me.set(me);
      this.tenants.set(me.canAdminister ? await this.api.tenants() : []);
      if (requestedTenant !== null) this.picked.set(requestedTenant);
    } catch (err) {
      this.error.set(errorText(err));
    } finally {
      this.loading.set(false);
    }
  }

  pick(tenant: string): void {
    this.picked.set(tenant);
  }

  /** After creating, renaming or disabling a tenant. */
  async reloadTenants(): Promise<void> {
    this.tenants.set(await this.api.tenants());
  }
}
