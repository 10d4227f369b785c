import type { Routes } from '@angular/router';
import { AdminPage } from './admin.page';
import { AdminContext } from './state/admin-context';

/** /admin and its tabs; the context (caller, tenants, picked tenant) is shared by them. */
export const ADMIN_ROUTES: Routes = [
  {
    path: '',
    component: AdminPage,
    providers: [AdminContext],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'members' },
      { path: 'members', title: 'Members · Administration · Pharos', loadComponent: () => import('./members.page').then((m) => m.MembersPage) },
      { path: 'keys', title: 'API keys · Administration · Pharos', loadComponent: () => import('./keys.page').then((m) => m.KeysPage) },
      { path: 'limits', title: 'Limits and retention · Administration · Pharos', loadComponent: () => import('./limits.page').then((m) => m.LimitsPage) },
      { path: 'tenants', title: 'Tenants · Administration · Pharos', loadComponent: () => import('./tenants.page').then((m) => m.TenantsPage) },
      { path: 'users', title: 'Users · Administration · Pharos', loadComponent: () => import('./users.page').then((m) => m.UsersPage) },
    ],
  },
];
