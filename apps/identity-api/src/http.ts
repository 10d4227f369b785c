import { HttpException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { principalOf, type RequestPrincipal } from '#apps/common';
import { AccessDeniedError, IdentityError, type Action, type RoleAuthorizer } from '#pharos/identity';
import {
  DuplicateRecordError,
  InvalidRecordError,
  RecordNotFoundError,
  ROLES,
  VersionConflictError,
  type ApiKeyRecord,
  type Role,
  type UserRecord,
} from '#pharos/metadata';

/** Ends the request with `status` and `{ "error": message }`. */
export function fail(status: number, message: string): never {
  throw new HttpException({ error: message }, status);
}

/** The principal the auth hook attached; every identity route is behind it. */
export function requirePrincipal(req: FastifyRequest): RequestPrincipal {
  const principal = principalOf(req);
  if (principal === undefined) fail(401, 'authentication required');
  return principal;
}

/** Refuses with 403 unless the principal may take the action in the tenant. */
export function authorize(authorizer: RoleAuthorizer, who: RequestPrincipal, tenantId: string, action: Action): void {
  const decision = authorizer.authorize(who.principal, tenantId, action);
  if (!decision.allowed) fail(403, decision.message);
}

/** Maps the store's, the identity rules' and the administration's errors to HTTP statuses; rethrows the rest. */
export async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof HttpException) throw err;
    if (err instanceof AccessDeniedError) fail(403, err.message);
    if (err instanceof DuplicateRecordError || err instanceof VersionConflictError) fail(409, err.message);
    if (err instanceof RecordNotFoundError) fail(404, err.message);
    if (err instanceof InvalidRecordError) fail(400, err.message);
    if (err instanceof IdentityError) {
      fail(err.code === 'wrong_password' ? 403 : err.code === 'no_such_user' ? 404 : 400, err.message);
    }
    throw err;
  }
}

/** A JSON object body, or 400. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) fail(400, 'expected a JSON object body');
  return body as Record<string, unknown>;
}

export function requiredString(body: Record<string, unknown>, field: string, maxLength = 1024): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') fail(400, `"${field}" is required (a non-empty string)`);
  if (value.length > maxLength) fail(400, `"${field}" is longer than ${maxLength} characters`);
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string, maxLength = 1024): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(400, `"${field}" must be a string`);
  if (value.length > maxLength) fail(400, `"${field}" is longer than ${maxLength} characters`);
  return value;
}

export function requiredRole(body: Record<string, unknown>, field = 'role'): Role {
  const value = body[field];
  if (typeof value !== 'string' || !(ROLES as readonly string[]).includes(value)) fail(400, `"${field}" must be one of ${ROLES.join(', ')}`);
  return value as Role;
}

/** A user as the API shows it: never the password hash. */
export function publicUser(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    login: user.login,
    name: user.name,
    email: user.email,
    serverAdmin: user.serverAdmin,
    mustChangePassword: user.mustChangePassword,
    disabled: user.disabled,
    lockedUntil: user.lockedUntil,
    createdAt: user.createdAt,
  };
}

/** An API key as the API lists it: never its digest. */
export function publicKey(key: ApiKeyRecord): Record<string, unknown> {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role: key.role,
    tenants: key.tenants,
    ownerTenantId: key.ownerTenantId,
    createdBy: key.createdBy,
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}
