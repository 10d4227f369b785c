import type { Role } from '#pharos/metadata';

/** Who a request acts as, once authenticated. */
export type Principal = UserPrincipal | ApiKeyPrincipal | LocalPrincipal;

/** A person, from a session (cookie or bearer session token). */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly userId: string;
  readonly login: string;
  readonly serverAdmin: boolean;
  /** Until the password is changed, only the account itself may be used. */
  readonly mustChangePassword: boolean;
  readonly sessionId: string;
  /** Role per tenant id, from the memberships. */
  readonly roles: ReadonlyMap<string, Role>;
}

/** A program, from an API key (bearer token or basic-auth password). */
export interface ApiKeyPrincipal {
  readonly kind: 'api_key';
  readonly keyId: string;
  readonly name: string;
  readonly role: Role;
  /** Tenants the key may act for (enabled ones only); the first is the default. */
  readonly tenants: readonly string[];
}

/**
 * Auth switched off (single-user local install): every request may do everything, in the
 * tenant `X-Scope-OrgID` names (or `default`), as Loki and Mimir behave without auth.
 */
export interface LocalPrincipal {
  readonly kind: 'local';
}

export const LOCAL_PRINCIPAL: LocalPrincipal = { kind: 'local' };
