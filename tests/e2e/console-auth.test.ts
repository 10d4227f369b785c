import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, ConsoleClient } from '../support/auth-client.js';
import { removeDir, startPharos, tempDir, type PharosProcess } from '../support/pharos-process.js';
import { remoteWrite } from '../support/remote-write-client.js';
import { axeViolations, launchChromium } from './browser.js';

/**
 * The console with auth on, in Chromium against the built binary: the login page, the API's
 * refusal shown, the first-login password change, Explore querying through the session cookie
 * and CSRF token, staying logged in over a reload, a session that ends under the page, log out,
 * and the throttling answer (429) shown with when to retry.
 */

const ADMIN_PASSWORD = 'first-start-admin-pw-2026';
const NEW_PASSWORD = 'console-changed-pw-2026';
const NOW = Math.floor(Date.now() / 1000) * 1000;
const INSTANCES = ['x', 'y'];

interface PageFetch {
  fetch(url: string): Promise<{ status: number }>;
}

describe('Pharos console with auth on', () => {
  const dir = tempDir('console-auth-e2e');
  let pharos: PharosProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const config = join(dir, 'pharos.yaml');
    // Low thresholds so the throttling test needs few attempts; the wrong-password test uses one.
    writeFileSync(config, ['auth:', '  login_max_failures: 4', '  lockout_threshold: 4', '  lockout_duration: 1m'].join('\n') + '\n');
    [pharos, browser] = await Promise.all([
      startPharos({
        dataDir: join(dir, 'data'),
        args: ['--config', config],
        env: { PHAROS_AUTH_ENABLED: 'true', PHAROS_ADMIN_PASSWORD: ADMIN_PASSWORD },
      }),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (err) => console.error('[console page error]', err));
  });

  afterAll(async () => {
    await browser?.close();
    await pharos?.stop();
    removeDir(dir);
  });

  const rows = () => page.locator('[data-testid=result-table] tbody tr');
  const apiStatus = (path: string) => page.evaluate(async (p) => (await (globalThis as unknown as PageFetch).fetch(p)).status, path);

  it('opens on the login page, with labelled fields and no serious axe-core violations', async () => {
    await page.goto(pharos.url + '/');
    await page.waitForURL(/\/login\?next=%2Fexplore$/);
    await expect.poll(() => page.title()).toBe('Log in · Pharos');
    await page.getByLabel('Login').waitFor();
    expect(await page.getByLabel('Password').getAttribute('type')).toBe('password');
    expect(await page.locator('[data-testid=logout]').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('[data-testid=theme-toggle]').click();
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('[data-testid=theme-toggle]').click();
  });

  it("shows the API's message for a wrong password", async () => {
    await page.getByLabel('Login').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/login'));
    // From the keyboard: Enter in the password field submits.
    await page.getByLabel('Password').press('Enter');
    const res = await answer;
    expect(res.status()).toBe(401);
    const { error } = (await res.json()) as { error: string };
    expect(error).toBeTruthy();
    expect(await page.locator('[data-testid=login-error]').innerText()).toBe(error);
    expect(await page.locator('[data-testid=login-error]').getAttribute('role')).toBe('alert');
  });

  it('asks for a new password at the first login, then lands on Explore', async () => {
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.locator('[data-testid=login-submit]').click();
    await page.locator('[data-testid=password-form]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    // Mismatched repeats are refused before asking the API.
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD + 'x');
    await page.locator('[data-testid=password-submit]').click();
    expect(await page.locator('[data-testid=login-error]').innerText()).toBe('The two new passwords differ.');
    // The API's password policy speaks for itself.
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the new password').fill('short');
    await page.locator('[data-testid=password-submit]').click();
    await expect.poll(() => page.locator('[data-testid=login-error]').innerText()).toMatch(/at least 12 characters/);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
    await page.locator('[data-testid=password-submit]').click();
    await page.waitForURL(/\/explore$/);
    await page.locator('[data-testid=promql-editor] .cm-content').waitFor();
    expect(await page.locator('[data-testid=user-login]').innerText()).toBe('admin');
    // The new password is the one that works now.
    expect((await new ConsoleClient(pharos.url).login('admin', NEW_PASSWORD)).status).toBe(200);
  });

  it('runs queries through the session (POSTs carry the CSRF token) and stays logged in over a reload', async () => {
    // Samples written with an API key the admin creates, as a Prometheus would.
    const admin = new ConsoleClient(pharos.url);
    expect((await admin.login('admin', NEW_PASSWORD)).status).toBe(200);
    const { key } = await admin.json<{ key: string }>('POST', '/api/tenants/default/keys', { name: 'console-e2e', role: 'editor' }, 201);
    const series = INSTANCES.map((instance, k) => ({
      labels: { __name__: 'e2e_auth_total', job: 'e2e', instance },
      samples: Array.from({ length: 21 }, (_, i) => ({ timestamp: NOW - 5 * 60_000 + i * 15_000, value: i * (k + 1) })),
    }));
    const written = await remoteWrite(pharos.url, series, { headers: bearer(key) });
    expect(written.status, await written.text()).toBe(204);
    await expect
      .poll(async () => {
        const res = await fetch(`${pharos.url}/api/v1/series?${new URLSearchParams({ 'match[]': 'e2e_auth_total' })}`, { headers: bearer(key) });
        return ((await res.json()) as { data?: unknown[] }).data?.length;
      })
      .toBe(INSTANCES.length);

    const posts: { url: string; csrf: string | undefined }[] = [];
    page.on('request', (r) => void (r.method() === 'POST' && r.url().includes('/api/v1/query') && posts.push({ url: r.url(), csrf: r.headers()['x-csrf-token'] })));
    await page.goto(`${pharos.url}/explore?expr=e2e_auth_total&tab=table`);
    await expect.poll(() => rows().count()).toBe(INSTANCES.length);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((p) => typeof p.csrf === 'string' && p.csrf.length > 10)).toBe(true);
    await page.reload();
    await expect.poll(() => rows().count()).toBe(INSTANCES.length);
    expect(new URL(page.url()).pathname).toBe('/explore');
    expect(await page.locator('[data-testid=query-error]').count()).toBe(0);
  });

  it('returns to the login page when the session ends under it, and back to the same view after logging in', async () => {
    const view = new URL(page.url());
    await context.clearCookies();
    await page.locator('[data-testid=run]').click();
    await page.waitForURL(/\/login\?next=/);
    expect(new URL(page.url()).searchParams.get('next')).toBe(view.pathname + view.search);
    await page.getByLabel('Login').fill('admin');
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.waitForURL((u) => u.pathname === '/explore' && u.searchParams.get('expr') === 'e2e_auth_total' && u.searchParams.get('tab') === 'table');
    await expect.poll(() => rows().count()).toBe(INSTANCES.length);
  });

  it('logs out: back to the login page, and the API refuses the page', async () => {
    expect(await apiStatus('/api/v1/labels')).toBe(200);
    await page.locator('[data-testid=logout]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/login$/);
    await page.locator('[data-testid=login-form]').waitFor();
    expect(await apiStatus('/api/v1/labels')).toBe(401);
    expect(await apiStatus('/api/session')).toBe(401);
    // A reload stays logged out.
    await page.goto(`${pharos.url}/explore`);
    await page.waitForURL(/\/login\?next=%2Fexplore$/);
  });

  it('shows when to retry once logins are throttled (429)', async () => {
    const error = page.locator('[data-testid=login-error]');
    await page.getByLabel('Login').fill('admin');
    let text = '';
    for (let attempt = 0; attempt < 8 && !/\(in \d+ s, at /.test(text); attempt++) {
      await page.getByLabel('Password').fill(`wrong-${attempt}`);
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/login'));
      await page.locator('[data-testid=login-submit]').click();
      await answer;
      await error.waitFor();
      text = await error.innerText();
    }
    expect(text).toMatch(/try again later \(in \d+ s, at .+\)$/);
  });
});
