import type { Routes } from '@angular/router';

/** Only pages that work are routed; others arrive with the features that fill them. */
export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'explore' },
  { path: 'explore', title: 'Explore · Pharos', loadComponent: () => import('./features/explore/explore.page').then((m) => m.ExplorePage) },
  { path: '**', redirectTo: 'explore' },
];
