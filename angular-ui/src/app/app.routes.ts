import type { Routes } from '@angular/router';
import { requireSession } from './core/session-guard';

/** Only pages that work are routed; others arrive with the features that fill them. */
export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'explore' },
  { path: 'login', title: 'Log in · Pharos', loadComponent: () => import('./features/login/login.page').then((m) => m.LoginPage) },
  {
    path: 'explore',
    title: 'Explore · Pharos',
    canActivate: [requireSession],
    loadComponent: () => import('./features/explore/explore.page').then((m) => m.ExplorePage),
  },
  {
    path: 'dashboards',
    title: 'Dashboards · Pharos',
    canActivate: [requireSession],
    loadComponent: () => import('./features/dashboards/dashboards-list.page').then((m) => m.DashboardsListPage),
  },
  {
    path: 'dashboards/import',
    title: 'Import a dashboard · Pharos',
    canActivate: [requireSession],
    loadComponent: () => import('./features/dashboards/dashboard-import.page').then((m) => m.DashboardImportPage),
  },
  {
    path: 'd/:uid',
    title: 'Dashboard · Pharos',
    canActivate: [requireSession],
    loadComponent: () => import('./features/dashboards/dashboard.page').then((m) => m.DashboardPage),
  },
  {
    path: 'admin',
    title: 'Administration · Pharos',
    canActivate: [requireSession],
    loadChildren: () => import('./features/admin/admin.routes').then((m) => m.ADMIN_ROUTES),
  },
  { path: '**', redirectTo: 'explore' },
];
