import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/auth-client.js';
import { removeDir, startPharos, tempDir, type PharosProcess } from '../support/pharos-process.js';
import { remoteWrite } from '../support/remote-write-client.js';
import { axeViolations, launchChromium } from './browser.js';

/**
 * The console's admin pages with auth on, in Chromium against the built binary: the admin
 * (first-start password flow) invites a viewer and creates an API key, each secret shown once;
 * the key remote-writes a sample that is then queryable in its tenant; the viewer sees no
 * Admin link and is refused at /admin; axe-core finds no serious or critical violation on the
 * admin pages, in light and dark themes.
 */

const ADMIN_PASSWORD = 'first-start-admin-pw-2026';
const NEW_PASSWORD = 'admin-console-pw-2026';
const VIEWER_PASSWORD = 'viewer-chosen-pw-2026';

describe('Pharos console admin pages with auth on', () => {
  const dir = tempDir('console-admin-e2e');
  let pharos: PharosProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let viewerTemporary = '';
  let apiKey = '';

  beforeAll(async () => {
    const config = join(dir, 'pharos.yaml');
    writeFileSync(config, 'auth:\n  enabled: true\n');
    [pharos, browser] = await Promise.all([
      startPharos({ dataDir: join(dir, 'data'), args: ['--config', config], env: { PHAROS_ADMIN_PASSWORD: ADMIN_PASSWORD } }),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: pharos.url });
    page = await context.newPage();
    page.on('pageerror', (err) => console.error('[console page error]', err));
  });

  afterAll(async () => {
    await browser?.close();
    await pharos?.stop();
    removeDir(dir);
  });

  /** Logs in on the login page, choosing a new password when the account must. */
  async function logIn(p: Page, login: string, password: string, newPassword: string): Promise<void> {
    await p.goto(pharos.url + '/');
    await p.waitForURL(/\/login/);
    await p.getByLabel('Login').fill(login);
    await p.getByLabel('Password').fill(password);
    await p.locator('[data-testid=login-submit]').click();
    await p.locator('[data-testid=password-form]').waitFor();
    await p.getByLabel('New password', { exact: true }).fill(newPassword);
    await p.getByLabel('Repeat the new password').fill(newPassword);
    await p.locator('[data-testid=password-submit]').click();
    await p.waitForURL(/\/explore$/);
  }

  const memberRow = (login: string) => page.locator(`[data-testid=members-table] tr[data-login="${login}"]`);

  it('shows the admin the Admin link after the first-login password change', async () => {
    await logIn(page, 'admin', ADMIN_PASSWORD, NEW_PASSWORD);
    await page.locator('[data-testid=nav-admin]').click();
    await page.waitForURL(/\/admin\/members/);
    await memberRow('admin').waitFor();
    expect(await page.title()).toBe('Members · Administration · Pharos');
    expect(await page.locator('[data-testid=admin-tenant]').inputValue()).toBe('default');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('invites a viewer; the temporary password is shown once, with focus on it', async () => {
    await page.getByLabel('Login', { exact: true }).fill('vera');
    await page.locator('[data-testid=invite-role]').selectOption('viewer');
    await page.locator('[data-testid=invite-submit]').click();
    const secret = page.locator('[data-testid=secret-once]');
    await secret.waitFor();
    expect(await secret.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).toBe(true);
    viewerTemporary = await page.locator('[data-testid=secret-value]').inputValue();
    expect(viewerTemporary).toMatch(/^[A-Za-z0-9]{24}$/);
    await page.locator('[data-testid=secret-copy]').click();
    await expect.poll(() => secret.locator('[role=status]').innerText()).toMatch(/Copied|selected/);
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('[data-testid=secret-done]').click();
    await expect.poll(() => secret.count()).toBe(0);
    // Focus goes back to the form after the secret is closed.
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('invite-login');
    await expect.poll(() => memberRow('vera').locator('td').nth(3).innerText()).toMatch(/must change password/);
    // Once: a reload lists the member but no password.
    await page.reload();
    await memberRow('vera').waitFor();
    expect(await page.content()).not.toContain(viewerTemporary);
  });

  it('creates an API key whose secret is shown once', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL(/\/admin\/keys/);
    await page.locator('[data-testid=key-name]').fill('prometheus-e2e');
    await page.locator('[data-testid=key-role]').selectOption('editor');
    await page.locator('[data-testid=key-submit]').click();
    await page.locator('[data-testid=secret-once]').waitFor();
    apiKey = await page.locator('[data-testid=secret-value]').inputValue();
    expect(apiKey).toMatch(/^phk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(await page.locator('[data-testid=secret-once]').innerText()).toMatch(/cannot be shown again/);
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('[data-testid=secret-done]').click();
    const row = page.locator('[data-testid=keys-table] tr[data-key="prometheus-e2e"]');
    await row.waitFor();
    expect(await row.innerText()).toMatch(/editor[\s\S]*active/);
    await expect.poll(() => page.locator('[data-testid=secret-once]').count()).toBe(0);
    expect(await page.content()).not.toContain(apiKey);
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(apiKey);
  });

  it('the key remote-writes a sample that is queryable in its tenant', async () => {
    const now = Date.now();
    const written = await remoteWrite(pharos.url, [{ labels: { __name__: 'e2e_admin_probe', via: 'console-key' }, samples: [{ value: 7, timestamp: now }] }], {
      headers: bearer(apiKey),
    });
    expect(written.status, await written.text()).toBe(204);
    await expect
      .poll(async () => {
        const res = await fetch(`${pharos.url}/api/v1/query?${new URLSearchParams({ query: 'e2e_admin_probe', time: String(now / 1000) })}`, { headers: bearer(apiKey) });
        const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
        return body.data?.result?.map((r) => r.value[1]);
      })
      .toEqual(['7']);
    // The admin's session reads it in the same tenant.
    const inTenant = await page.evaluate(async (t) => {
      const g = globalThis as unknown as { fetch(u: string, i?: object): Promise<{ json(): Promise<{ data: { result: unknown[] } }> }> };
      return (await (await g.fetch(`/api/v1/query?query=e2e_admin_probe&time=${t}`, { headers: { 'x-scope-orgid': 'default' } })).json()).data.result.length;
    }, now / 1000);
    expect(inTenant).toBe(1);
  });

  it('has no serious axe-core violations on the other admin pages, in both themes', async () => {
    for (const [tab, ready] of [
      ['Limits and retention', '[data-testid=limits-form]'],
      ['Tenants', '[data-testid=tenants-table] tr[data-tenant="default"]'],
      ['Users', '[data-testid=users-table] tr[data-login="vera"]'],
    ] as const) {
      await page.getByRole('link', { name: tab }).click();
      await page.locator(ready).waitFor();
      expect(await axeViolations(page), tab).toEqual([]);
    }
    await page.locator('[data-testid=theme-toggle]').click();
    expect(await axeViolations(page), 'users, dark').toEqual([]);
    await page.getByRole('link', { name: 'Limits and retention' }).click();
    await page.locator('[data-testid=limits-form]').waitFor();
    expect(await axeViolations(page), 'limits, dark').toEqual([]);
    await page.locator('[data-testid=theme-toggle]').click();
  });

  it('saves limits and reports a version conflict', async () => {
    await page.locator('[data-limit=query_timeout]').fill('soon');
    await page.locator('[data-testid=limits-save]').click();
    await expect.poll(() => page.locator('#limit-query_timeout-hint').innerText()).toMatch(/Enter a duration/);
    await page.locator('[data-limit=query_timeout]').fill('90s');
    await page.locator('[data-testid=limits-save]').click();
    await expect.poll(() => page.locator('[data-testid=limits-status]').innerText()).toMatch(/version 1/);
    // Someone else saves meanwhile (the REST API, same store).
    const login = await fetch(`${pharos.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'admin', password: NEW_PASSWORD, bearer: true }) });
    const { token } = (await login.json()) as { token: string };
    const put = await fetch(`${pharos.url}/api/tenants/default/settings`, { method: 'PUT', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify({ limits: {}, version: 1 }) });
    expect(put.status).toBe(200);
    await page.locator('[data-limit=query_timeout]').fill('2m');
    await page.locator('[data-testid=limits-save]').click();
    await expect.poll(() => page.locator('[data-testid=limits-error]').innerText()).toMatch(/Someone saved/);
    await page.locator('[data-testid=limits-reload]').click();
    await expect.poll(() => page.locator('[data-limit=query_timeout]').inputValue()).toBe('');
  });

  it('shows the viewer no Admin link and refuses /admin', async () => {
    const viewerContext = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const viewer = await viewerContext.newPage();
    try {
      await logIn(viewer, 'vera', viewerTemporary, VIEWER_PASSWORD);
      await viewer.locator('[data-testid=user-login]').waitFor();
      // The link would appear once `me` answers; give it that chance before asserting it absent.
      await viewer.waitForLoadState('networkidle');
      await viewer.locator('nav[aria-label=Main] a').first().waitFor();
      expect(await viewer.locator('[data-testid=nav-admin]').count()).toBe(0);
      await viewer.goto(`${pharos.url}/admin`);
      await viewer.locator('[data-testid=admin-refused]').waitFor();
      expect(await viewer.locator('[data-testid=admin-refused]').innerText()).toMatch(/needs the admin role/);
      expect(await viewer.locator('[data-testid=members-table]').count()).toBe(0);
      expect(await axeViolations(viewer)).toEqual([]);
    } finally {
      await viewerContext.close();
    }
  });
});
