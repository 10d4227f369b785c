import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, ConsoleClient } from '../support/auth-client.js';
import { removeDir, startPharos, tempDir, type PharosProcess } from '../support/pharos-process.js';
import { remoteWrite, type SeriesInput } from '../support/remote-write-client.js';
import { axeViolations, launchChromium } from './browser.js';

/**
 * Dashboards end to end, with auth on, in Debian's Chromium against the built binary: the
 * issue's story. An editor builds a dashboard with a variable and two panels over metrics
 * written during the test, changes the variable and sees the numbers change, saves, reloads;
 * a viewer of the same tenant sees it but cannot edit (and the API refuses the write); a user
 * of another tenant cannot see it; a Grafana dashboard JSON is imported with its report.
 */

const ADMIN_PASSWORD = 'first-start-admin-pw-2026';
const ADMIN_NEW = 'dashboards-admin-pw-2026';
const VIEWER_PASSWORD = 'dashboards-viewer-pw-2026';
const OTHER_PASSWORD = 'dashboards-other-pw-2026';
const NOW = Math.floor(Date.now() / 1000) * 1000;
const GRAFANA_FIXTURE = new URL('../../libs/dashboard-model/src/fixtures/grafana-small.json', import.meta.url);

/** Two instances with distinct constant loads, so the stat panel shows which one is selected. */
function data(): SeriesInput[] {
  return [
    ['alpha', 10],
    ['beta', 20],
  ].map(([instance, value]) => ({
    labels: { __name__: 'e2e_dash_load', job: 'e2e', instance: String(instance) },
    samples: Array.from({ length: 121 }, (_, i) => ({ timestamp: NOW - 30 * 60_000 + i * 15_000, value: Number(value) + (i % 2) * 0 })),
  }));
}

/** Logs in; an invited user must first replace the temporary password (set to `password + '-new'`). */
async function loginInBrowser(page: Page, url: string, login: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.locator('[data-testid=login-submit]').click();
  const form = page.locator('[data-testid=password-form]');
  const settled = (p: Promise<unknown>) => p.then(() => undefined, () => undefined);
  await Promise.race([settled(page.waitForURL((u) => !u.pathname.startsWith('/login'))), settled(form.waitFor())]);
  if (await form.isVisible()) {
    await page.getByLabel('New password', { exact: true }).fill(`${password}-new`);
    await page.getByLabel('Repeat the new password').fill(`${password}-new`);
    await page.locator('[data-testid=password-submit]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  }
}

describe('Pharos console dashboards', () => {
  const dir = tempDir('console-dashboards-e2e');
  let pharos: PharosProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: ConsoleClient;
  let uid = '';

  beforeAll(async () => {
    const config = join(dir, 'pharos.yaml');
    writeFileSync(config, 'auth:\n  login_max_failures: 50\n');
    [pharos, browser] = await Promise.all([
      startPharos({ dataDir: join(dir, 'data'), args: ['--config', config], env: { PHAROS_AUTH_ENABLED: 'true', PHAROS_ADMIN_PASSWORD: ADMIN_PASSWORD } }),
      launchChromium(),
    ]);
    admin = new ConsoleClient(pharos.url);
    expect((await admin.login('admin', ADMIN_PASSWORD)).status).toBe(200);
    const changed = await admin.request('POST', '/api/password', { body: { currentPassword: ADMIN_PASSWORD, newPassword: ADMIN_NEW } });
    expect(changed.status, await changed.text()).toBeLessThan(300);
    admin = new ConsoleClient(pharos.url);
    expect((await admin.login('admin', ADMIN_NEW)).status).toBe(200);
    // Ingest with an API key, as Prometheus would.
    const key = await admin.json<{ key: string }>('POST', '/api/tenants/default/keys', { name: 'e2e-writer', role: 'editor' }, 201);
    for (const s of data()) expect((await remoteWrite(pharos.url, [s], { headers: bearer(key.key) })).status).toBe(204);
    for (let deadline = Date.now() + 10_000; ; ) {
      const res = await fetch(`${pharos.url}/api/v1/series?match[]=e2e_dash_load`, { headers: bearer(key.key) });
      if (((await res.json()) as { data?: unknown[] }).data?.length === 2) break;
      if (Date.now() > deadline) throw new Error('the written series did not become queryable within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    // A viewer of the same tenant, and a user of another tenant only.
    await admin.json('POST', '/api/tenants/default/users', { login: 'vic', role: 'viewer', password: VIEWER_PASSWORD }, 201);
    await admin.json('POST', '/api/tenants', { id: 'other', name: 'Other team' }, 201);
    await admin.json('POST', '/api/tenants/other/users', { login: 'olga', role: 'admin', password: OTHER_PASSWORD }, 201);
    await admin.json('POST', '/graphql', { query: 'mutation { createFolder(title: "Team", uid: "team") { uid } }' });
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (err) => console.error('[console page error]', err));
    await loginInBrowser(page, pharos.url, 'admin', ADMIN_NEW);
  });

  afterAll(async () => {
    await browser?.close();
    await pharos?.stop();
    removeDir(dir);
  });

  const statText = () => page.locator('[data-testid=dashboard-grid] section').nth(1).innerText();

  it('creates a dashboard from the list and adds a query variable in its settings', async () => {
    await page.goto(`${pharos.url}/dashboards`);
    await page.locator('[data-testid=new-dashboard]').click();
    await page.waitForURL(/\/d\/[^/?]+\?/);
    uid = new URL(page.url()).pathname.split('/')[2]!;
    await page.locator('[data-testid=settings-toggle]').click();
    await page.locator('[data-testid=settings-title]').fill('Load by instance');
    await page.locator('[data-testid=settings-title]').press('Tab');
    await page.locator('[data-testid=settings-folder]').selectOption('team');
    await page.locator('[data-testid=add-variable]').click();
    await page.locator('[data-testid=variable-kind-0]').selectOption('query');
    await page.locator('[data-testid=variable-name-0]').fill('instance');
    await page.locator('[data-testid=variable-name-0]').press('Tab');
    await page.locator('[data-testid=variable-query-0]').fill('label_values(e2e_dash_load, instance)');
    await page.locator('[data-testid=variable-query-0]').press('Tab');
    expect(await page.locator('[data-testid=settings-problem]').count()).toBe(0);
    await page.locator('[data-testid=settings-toggle]').click();
    // The variable offers both instances, sorted, and selects the first.
    const select = page.locator('[data-testid=var-select-instance]');
    await expect.poll(() => select.locator('option').allInnerTexts()).toEqual(['alpha', 'beta']);
    expect(await select.inputValue()).toBe('alpha');
    expect(await page.locator('[data-testid=dashboard-title]').innerText()).toContain('Load by instance');
  });

  async function addPanel(type: string, title: string, expr: string): Promise<void> {
    await page.locator('[data-testid=add-panel]').click();
    await page.locator(`[data-testid=add-panel-${type}]`).click();
    await page.locator('[data-testid=panel-editor]').waitFor();
    await page.locator('[data-testid=panel-title]').fill(title);
    await page.locator('[data-testid=panel-editor] [data-testid=promql-editor] .cm-content').first().click();
    await page.keyboard.type(expr);
    await page.locator('[data-testid=panel-apply]').click();
  }

  it('adds a time series and a stat panel over the live data, and the variable drives them', async () => {
    await addPanel('timeseries', 'Load', 'e2e_dash_load{instance="$instance"}');
    await addPanel('stat', 'Total load', 'sum(e2e_dash_load{instance=~"$instance"})');
    const dash = page.locator('[data-testid=dashboard]');
    await expect.poll(async () => [await dash.getAttribute('data-panels'), await dash.getAttribute('data-painted')], { timeout: 15_000 }).toEqual(['2', '2']);
    await expect.poll(statText).toMatch(/\b10\b/);
    // Changing the variable re-queries: beta's load is 20.
    await page.locator('[data-testid=var-select-instance]').selectOption('beta');
    await expect.poll(statText).toMatch(/\b20\b/);
    expect(new URL(page.url()).searchParams.get('var-instance')).toBe('beta');
  });

  it('saves, and after a reload the dashboard is still there as saved', async () => {
    await page.locator('[data-testid=save-dashboard]').click();
    await expect.poll(() => page.locator('[data-testid=save-dashboard]').count()).toBe(0);
    expect(await page.locator('[data-testid=save-error]').count()).toBe(0);
    await page.goto(`${pharos.url}/d/${uid}`);
    await expect.poll(() => page.locator('[data-testid=dashboard-grid] section').count()).toBe(2);
    expect(await page.locator('[data-testid=dashboard-title]').innerText()).toContain('Load by instance');
    // The saved variable value (beta) is what a plain link opens with.
    await expect.poll(() => page.locator('[data-testid=var-select-instance]').inputValue()).toBe('beta');
    await expect.poll(statText).toMatch(/\b20\b/);
    const listed = await admin.json<{ data: { dashboards: { uid: string; title: string; folderUid: string | null }[] } }>('POST', '/graphql', { query: '{ dashboards { uid title folderUid } }' });
    expect(listed.data.dashboards).toEqual([{ uid, title: 'Load by instance', folderUid: 'team' }]);
  });

  it('moves a panel with the keyboard in edit mode, and the layout is saved', async () => {
    await page.locator('[data-testid=edit-toggle]').click();
    const handle = page.getByRole('button', { name: /^Move Total load/ });
    const before = await page.locator('section[data-panel-id="2"]').boundingBox();
    await handle.focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => (await page.locator('section[data-panel-id="2"]').boundingBox())?.y).toBeLessThan(before!.y);
    await page.locator('[data-testid=save-dashboard]').click();
    await expect.poll(() => page.locator('[data-testid=save-dashboard]').count()).toBe(0);
    const saved = await admin.json<{ data: { dashboard: { model: string } } }>('POST', '/graphql', { query: `{ dashboard(uid: "${uid}") { model } }` });
    const model = JSON.parse(saved.data.dashboard.model) as { panels: { id: number; gridPos: { y: number } }[] };
    expect(model.panels.find((p) => p.id === 2)!.gridPos.y).toBe(0);
    await page.locator('[data-testid=edit-toggle]').click();
  });

  it('in live mode, pushes newly written points over the WebSocket subscription', async () => {
    const frames: string[] = [];
    page.on('websocket', (ws) => {
      if (ws.url().endsWith('/graphql')) ws.on('framereceived', (f) => frames.push(String(f.payload)));
    });
    await page.locator('[data-testid=refresh-select]').selectOption('5s');
    await page.locator('[data-testid=live-toggle]').check();
    await expect.poll(() => frames.some((f) => f.includes('"FULL"')), { timeout: 10_000 }).toBe(true);
    await expect.poll(statText).toMatch(/\b20\b/);
    // A new point for beta arrives through an APPEND push, without a page refresh.
    const key = await admin.json<{ key: string }>('POST', '/api/tenants/default/keys', { name: 'e2e-live', role: 'editor' }, 201);
    const res = await remoteWrite(pharos.url, [{ labels: { __name__: 'e2e_dash_load', job: 'e2e', instance: 'beta' }, samples: [{ timestamp: Date.now(), value: 77 }] }], { headers: bearer(key.key) });
    expect(res.status).toBe(204);
    await expect.poll(statText, { timeout: 20_000 }).toMatch(/\b77\b/);
    expect(frames.some((f) => f.includes('"APPEND"'))).toBe(true);
    expect(new URL(page.url()).searchParams.get('live')).toBe('1');
    await page.locator('[data-testid=live-toggle]').uncheck();
    await page.locator('[data-testid=refresh-select]').selectOption('');
  });

  it('has no serious or critical axe-core violations on the list and the dashboard', async () => {
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${pharos.url}/dashboards`);
    await page.locator('[data-testid=dashboard-list]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('lets a viewer see the dashboard but not edit it; the API refuses the write too', async () => {
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewer = await viewerContext.newPage();
    try {
      await loginInBrowser(viewer, pharos.url, 'vic', VIEWER_PASSWORD);
      if (new URL(viewer.url()).pathname === '/login') return expect.unreachable('viewer could not log in');
      await viewer.goto(`${pharos.url}/d/${uid}`);
      await viewer.locator('[data-testid=dashboard-grid] section').first().waitFor();
      expect(await viewer.locator('[data-testid=edit-toggle]').count()).toBe(0);
      expect(await viewer.locator('[data-testid=panel-edit]').count()).toBe(0);
      const vic = new ConsoleClient(pharos.url);
      expect((await vic.login('vic', `${VIEWER_PASSWORD}-new`)).status).toBe(200);
      const res = await vic.json<{ errors?: { extensions: { code: string } }[] }>('POST', '/graphql', {
        query: `mutation { updateDashboard(uid: "${uid}", version: 99, patch: { title: "mine" }) { uid } }`,
      });
      expect(res.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    } finally {
      await viewerContext.close();
    }
  });

  it('does not show the dashboard to a user of another tenant', async () => {
    const otherContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const other = await otherContext.newPage();
    try {
      await loginInBrowser(other, pharos.url, 'olga', OTHER_PASSWORD);
      await other.goto(`${pharos.url}/dashboards`);
      await other.locator('[data-testid=no-dashboards]').waitFor();
      await other.goto(`${pharos.url}/d/${uid}`);
      expect(await other.locator('[data-testid=dashboard-error]').innerText()).toMatch(/no dashboard/);
    } finally {
      await otherContext.close();
    }
  });

  it('lets a user of several tenants pick the tenant, with the role they have there', async () => {
    await admin.json('POST', '/api/tenants/default/users', { login: 'mia', role: 'viewer', password: VIEWER_PASSWORD }, 201);
    await admin.json('POST', '/api/tenants/other/users', { login: 'mia', role: 'editor' }, 201);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const mia = await ctx.newPage();
    try {
      await loginInBrowser(mia, pharos.url, 'mia', VIEWER_PASSWORD);
      await mia.goto(`${pharos.url}/dashboards`);
      // The default tenant first: its dashboard is listed, and mia is a viewer there.
      const select = mia.locator('[data-testid=tenant-select]');
      await expect.poll(() => select.inputValue()).toBe('default');
      await expect.poll(() => mia.locator('[data-testid=dashboard-link]').allInnerTexts()).toEqual(['Load by instance']);
      await mia.goto(`${pharos.url}/d/${uid}`);
      await mia.locator('[data-testid=dashboard-grid] section').first().waitFor();
      expect(await mia.locator('[data-testid=edit-toggle]').count()).toBe(0);
      // In the other tenant there is no such dashboard, and she may create one (editor).
      await select.selectOption('other');
      await mia.waitForURL(/\/dashboards$/);
      await mia.locator('[data-testid=no-dashboards]').waitFor();
      expect(await mia.locator('[data-testid=tenant-select]').inputValue()).toBe('other');
      await mia.locator('[data-testid=new-dashboard]').click();
      await mia.waitForURL(/\/d\//);
      await mia.locator('[data-testid=edit-toggle]').waitFor();
      const otherUid = new URL(mia.url()).pathname.split('/')[2]!;
      const inOther = await admin.json<{ data: { dashboards: { uid: string }[] } }>('POST', '/graphql', { query: '{ dashboards { uid } }' });
      expect(inOther.data.dashboards.map((d) => d.uid)).not.toContain(otherUid);
    } finally {
      await ctx.close();
    }
  });

  it('imports a Grafana dashboard JSON, listing what it could not convert', async () => {
    await page.goto(`${pharos.url}/dashboards/import`);
    await page.locator('[data-testid=import-json]').fill(readFileSync(GRAFANA_FIXTURE, 'utf8'));
    await page.locator('[data-testid=import-review]').waitFor();
    const review = await page.locator('[data-testid=import-review]').innerText();
    expect(review).toMatch(/Grafana dashboard with \d+ panels and \d+ variables/);
    await page.locator('[data-testid=import-submit]').click();
    await page.waitForURL(/\/d\//);
    await expect.poll(() => page.locator('[data-testid=dashboard-grid] section').count()).toBeGreaterThan(0);
    const dash = page.locator('[data-testid=dashboard]');
    await expect.poll(async () => (await dash.getAttribute('data-panels')) === (await dash.getAttribute('data-painted')), { timeout: 15_000 }).toBe(true);
  });
});
