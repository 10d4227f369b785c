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
  { path: '**', redirectTo: 'explore' },
];
