import { Module } from '@nestjs/common';
import { SessionController } from './session.controller.js';
import { TenantAccessController } from './tenant-access.controller.js';
import { TenantsController } from './tenants.controller.js';
import { UsersController } from './users.controller.js';

/**
 * The identity and tenancy management API: login sessions, passwords, API keys, members,
 * tenants and their run-time limits. Every route sits behind the platform's auth hook, which
 * attaches the principal; the controllers parse JSON and leave the rules (who may do what, the
 * checks, the side effects) to `IdentityAdministration` (libs/identity), which the GraphQL
 * gateway's admin resolvers share.
 * Needs `IDENTITY` and `TENANT_SETTINGS` from the platform (which applies the stored settings
 * at start, before any request).
 */
@Module({ controllers: [SessionController, TenantAccessController, TenantsController, UsersController] })
export class IdentityApiModule {}
