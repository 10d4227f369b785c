import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startPharos, tempDir, type PharosProcess } from '../support/pharos-process.js';
import { remoteWrite, waitForSeries, type SeriesInput } from '../support/remote-write-client.js';
import { axeViolations, launchChromium, type PageGlobals } from './browser.js';

/**
 * The console end to end: the built `pharos` binary serves the built Angular app, data is
 * remote-written during the test, and Debian's Chromium (headless, driven by playwright-core)
 * uses the Explore page as a person would — typing, Shift+Enter, switching views, reloading.
 */

const MINUTE = 60_000;
const NOW = Math.floor(Date.now() / 1000) * 1000;
const INSTANCES = ['a', 'b', 'c'];
/** 20 series × 1,000 points at 1 s: the dense graph whose paint time is measured. */
const DENSE_SERIES = 20;
const DENSE_POINTS = 1000;
const DENSE_START = NOW - 30 * MINUTE;

function data(): SeriesInput[] {
  const out: SeriesInput[] = [];
  // Three counters over the last ten minutes, 15 s apart, with distinct slopes.
  INSTANCES.forEach((instance, k) => {
    const samples = Array.from({ length: 41 }, (_, i) => ({ timestamp: NOW - 10 * MINUTE + i * 15_000, value: i * (k + 1) * 1.5 }));
    out.push({ labels: { __name__: 'e2e_requests_total', job: 'e2e', instance }, samples });
  });
  for (let s = 0; s < DENSE_SERIES; s++) {
    const samples = Array.from({ length: DENSE_POINTS }, (_, i) => ({ timestamp: DENSE_START + i * 1000, value: Math.sin(i / 40 + s) * 50 + s * 10 }));
    out.push({ labels: { __name__: 'e2e_dense', series: String(s).padStart(2, '0') }, samples });
  }
  return out;
}

interface ApiAnswer {
  status: string;
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  error?: string;
  errorType?: string;
}

describe('Pharos console in Chromium', () => {
  const dir = tempDir('console-e2e');
  let pharos: PharosProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [pharos, browser] = await Promise.all([startPharos({ dataDir: join(dir, 'data') }), launchChromium()]);
    // Remote-write in bodies of a few series, as Prometheus batches them.
    const all = data();
    for (let i = 0; i < all.length; i += 4) {
      const res = await remoteWrite(pharos.url, all.slice(i, i + 4));
      expect(res.status, await res.text()).toBe(204);
    }
    const seen = await waitForSeries(pharos.url, '{__name__=~"e2e_.*"}', (s) => s.length === INSTANCES.length + DENSE_SERIES, { timeoutMs: 10_000 });
    expect(seen).toHaveLength(INSTANCES.length + DENSE_SERIES);
    context = await browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (err) => console.error('[console page error]', err));
  });

  afterAll(async () => {
    await browser?.close();
    await pharos?.stop();
    removeDir(dir);
  });

  const editor = () => page.locator('[data-testid=promql-editor] .cm-content');
  /** The graph draws on canvas; its legend has one entry per series drawn. */
  const lines = () => page.locator('[data-testid=graph] .legend button');

  async function typeQuery(expr: string): Promise<void> {
    await editor().click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(expr);
  }

  it('serves the app at / and lands on Explore, fitting a 1280×720 screen', async () => {
    const res = await page.goto(pharos.url + '/');
    expect(res?.status()).toBe(200);
    await page.waitForURL(/\/explore$/);
    await expect.poll(() => page.title()).toBe('Explore · Pharos');
    await editor().waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  });

  it('autocompletes metric names and label values from the API', async () => {
    await typeQuery('e2e_req');
    const options = page.locator('.cm-tooltip-autocomplete li');
    await expect.poll(() => options.allInnerTexts()).toContain('e2e_requests_total');
    await page.keyboard.press('Escape');
    await typeQuery('e2e_requests_total{instance="');
    await expect.poll(async () => (await options.allInnerTexts()).sort()).toEqual(expect.arrayContaining(INSTANCES));
    await page.keyboard.press('Escape');
  });

  it('runs a query with Shift+Enter and draws one line per series, named by the legend format', async () => {
    await typeQuery('e2e_requests_total');
    await page.keyboard.press('Shift+Enter');
    await expect.poll(() => lines().count()).toBe(INSTANCES.length);
    await page.locator('[data-testid=legend-input]').fill('{{instance}}');
    await page.locator('[data-testid=legend-input]').press('Enter');
    await expect.poll(async () => (await lines().allInnerTexts()).map((t) => t.trim()).sort()).toEqual(INSTANCES);
    expect(new URL(page.url()).searchParams.get('legend')).toBe('{{instance}}');
    await expect.poll(() => page.locator('[data-testid=inspector-series]').textContent()).toBe('3');
    // Hovering the plot shows every series' value at that instant.
    const box = (await page.locator('[data-testid=graph] [data-testid=timeseries]').boundingBox())!;
    // Over the last minutes of the hour, where the data is.
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2, { steps: 4 });
    await expect.poll(() => page.locator('[data-testid=graph] [role=tooltip] .row').count()).toBe(INSTANCES.length);
    await page.mouse.move(0, 0);
  });

  it('takes range, zone and step from the picker into the query and the URL', async () => {
    await page.locator('[data-testid=range-select]').selectOption('15m');
    await page.locator('[data-testid=zone-select]').selectOption('utc');
    await page.locator('[data-testid=step-input]').fill('30s');
    await page.locator('[data-testid=step-input]').press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('step')).toBe('30s');
    const url = new URL(page.url());
    expect(url.searchParams.get('range')).toBe('15m');
    expect(url.searchParams.get('tz')).toBe('utc');
    await expect.poll(async () => {
      const params = new URLSearchParams(((await page.locator('[data-testid=inspector-request]').textContent()) ?? '').split('?')[1]);
      return [params.get('step'), Number(params.get('end')) - Number(params.get('start'))];
    }).toEqual(['30.000', 900]);
    await expect.poll(() => lines().count()).toBe(INSTANCES.length);
    // A bad step is refused beside the field and nothing changes.
    await page.locator('[data-testid=step-input]').fill('soon');
    await page.locator('[data-testid=step-input]').press('Enter');
    expect(await page.locator('[data-testid=range-problem]').innerText()).toBe('step: "soon" is not a duration (examples: 15s, 5m, 1h30m)');
    expect(new URL(page.url()).searchParams.get('step')).toBe('30s');
    // Absolute ranges are typed in the chosen zone.
    await page.locator('[data-testid=range-select]').selectOption('absolute');
    const from = page.locator('[data-testid=range-from]');
    await from.waitFor();
    const start = new Date(Date.now() - 20 * MINUTE);
    const text = start.toISOString().slice(0, 19).replace('T', ' ');
    await from.fill(text);
    await from.press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).toBe(`${text.replace(' ', 'T')}.000Z`);
    // Back to the defaults the remaining tests expect.
    await page.goto(`${pharos.url}/explore?expr=e2e_requests_total&legend=%7B%7Binstance%7D%7D`);
    await expect.poll(() => lines().count()).toBe(INSTANCES.length);
  });

  it('is usable from the keyboard: skip link first, focus visible, Tab leaves the editor', async () => {
    await page.reload();
    await editor().waitFor();
    type Focus = { document: { activeElement: { tagName: string; id: string; textContent: string | null; className: string } | null } };
    const focused = () => page.evaluate(() => {
      const el = (globalThis as unknown as Focus).document.activeElement;
      return { tag: el?.tagName ?? '', id: el?.id ?? '', text: el?.textContent?.trim() ?? '', cls: el?.className ?? '' };
    });
    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Skip to content');
    const outline = await page.evaluate(() => {
      const g = globalThis as unknown as { document: { activeElement: object }; getComputedStyle(e: object): { outlineStyle: string } };
      return g.getComputedStyle(g.document.activeElement).outlineStyle;
    });
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    expect((await focused()).id).toBe('main');
    expect(new URL(page.url()).pathname).toBe('/explore');
    // From main, Tab reaches the editor, and Tab again moves on to the Run button.
    await page.keyboard.press('Tab');
    expect((await focused()).cls).toContain('cm-content');
    await page.keyboard.press('Tab');
    expect((await focused()).text).toBe('Run');
  });

  it('shows the instant query as a table with exactly the values /api/v1/query returns', async () => {
    await page.locator('[data-testid=view-table]').click();
    const rows = page.locator('[data-testid=result-table] tbody tr');
    await expect.poll(() => rows.count()).toBe(INSTANCES.length);
    // Ask the API the same question at the same instant the page used.
    const request = (await page.locator('[data-testid=inspector-request]').textContent()) ?? '';
    const time = new URLSearchParams(request.slice(request.indexOf('?') + 1)).get('time');
    expect(time).toMatch(/^\d+\.\d{3}$/);
    const api = (await (await fetch(`${pharos.url}/api/v1/query?${new URLSearchParams({ query: 'e2e_requests_total', time: time! })}`)).json()) as ApiAnswer;
    expect(api.status).toBe('success');
    const expected = api.data.result.map((s) => [`e2e_requests_total{instance="${s.metric['instance']}", job="e2e"}`, s.value[1]]).sort();
    const shown = (await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())))).sort();
    expect(shown).toEqual(expected);
    expect(expected.map(([, v]) => v)).toEqual(['60', '120', '180']);
  });

  it('reproduces the view from its URL after a reload', async () => {
    const url = new URL(page.url());
    expect(url.searchParams.get('expr')).toBe('e2e_requests_total');
    expect(url.searchParams.get('tab')).toBe('table');
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=result-table] tbody tr').count()).toBe(INSTANCES.length);
    expect(await editor().innerText()).toBe('e2e_requests_total');
    expect(await page.locator('[data-testid=view-table]').getAttribute('aria-pressed')).toBe('true');
    // The same link in a fresh tab shows the same thing.
    const other = await context.newPage();
    await other.goto(url.toString());
    await expect.poll(() => other.locator('[data-testid=result-table] tbody tr').count()).toBe(INSTANCES.length);
    await other.close();
  });

  it("shows the API's error next to the editor for an invalid query", async () => {
    const bad = 'rate(e2e_requests_total)';
    await typeQuery(bad);
    await page.locator('[data-testid=run]').click();
    const error = page.locator('[data-testid=query-error]');
    await error.waitFor();
    const api = (await (await fetch(`${pharos.url}/api/v1/query?${new URLSearchParams({ query: bad })}`)).json()) as ApiAnswer;
    expect(api.status).toBe('error');
    expect(api.error).toBeTruthy();
    expect(await error.locator('pre').innerText()).toBe(api.error);
    expect(await error.locator('strong').innerText()).toBe(`${api.errorType} (HTTP 400)`);
    await expect.poll(() => page.locator('[data-testid=result-table]').count()).toBe(0);
  });

  it('toggles the dark theme and remembers it across reloads', async () => {
    const background = () => page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return g.getComputedStyle(g.document.body).backgroundColor;
    });
    const theme = () => page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.dataset['theme']);
    const light = await background();
    expect(await theme()).toBe('light');
    await page.locator('[data-testid=theme-toggle]').focus();
    await page.keyboard.press('Enter');
    expect(await theme()).toBe('dark');
    expect(await background()).not.toBe(light);
    await page.reload();
    await page.locator('[data-testid=theme-toggle]').waitFor();
    expect(await theme()).toBe('dark');
    expect(await page.locator('[data-testid=theme-toggle]').getAttribute('aria-pressed')).toBe('true');
    // With no choice stored, the system preference decides.
    const darkSystem = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 720 } });
    const fresh = await darkSystem.newPage();
    await fresh.goto(`${pharos.url}/explore`);
    await fresh.locator('[data-testid=theme-toggle]').waitFor();
    expect(await fresh.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.dataset['theme'])).toBe('dark');
    await darkSystem.close();
  });

  it('has no serious or critical axe-core violations on Explore, in both themes', async () => {
    // Opening a link runs its query once: the automatic step is right before the graph exists.
    const ranges: string[] = [];
    const count = (r: { url(): string }): void => void (r.url().includes('/api/v1/query_range') && ranges.push(r.url()));
    page.on('request', count);
    await page.goto(`${pharos.url}/explore?expr=e2e_requests_total&legend=%7B%7Binstance%7D%7D`);
    await expect.poll(() => lines().count()).toBe(INSTANCES.length);
    await page.waitForTimeout(300);
    page.off('request', count);
    expect(ranges).toHaveLength(1);
    await page.locator('[data-testid=inspector] summary').click();
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('[data-testid=theme-toggle]').click();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('paints a 20-series × 1,000-point graph, and reports how long it took', async () => {
    const from = new Date(DENSE_START).toISOString();
    const to = new Date(DENSE_START + (DENSE_POINTS - 1) * 1000).toISOString();
    const url = `${pharos.url}/explore?${new URLSearchParams({ expr: 'e2e_dense', from, to, step: '1s' })}`;
    const fresh = await context.newPage();
    const started = Date.now();
    await fresh.goto(url);
    const dense = fresh.locator('[data-testid=graph] .legend button');
    await expect.poll(() => dense.count(), { timeout: 20_000 }).toBe(DENSE_SERIES);
    await fresh.waitForFunction(() => performance.getEntriesByName('pharos:graph-painted').length > 0);
    const wallMs = Date.now() - started;
    // Drawn on canvas: the plot has ink (the lines), and the page holds every point it was sent.
    const inked = await fresh.locator('[data-testid=graph] canvas').first().evaluate((el) => {
      const c = el as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(5_000);
    const timing = await fresh.evaluate(() => {
      const start = performance.getEntriesByName('pharos:query-start').at(-1)!.startTime;
      const painted = performance.getEntriesByName('pharos:graph-painted').at(-1)!.startTime;
      return { navigationToPaint: painted, queryToPaint: painted - start };
    });
    const inspector = await fresh.locator('[data-testid=inspector-paint]').textContent();
    // A refresh of the same view (warm: code loaded and compiled, chart already on screen).
    await fresh.locator('[data-testid=run]').click();
    await fresh.waitForFunction(() => performance.getEntriesByName('pharos:graph-painted').length > 1);
    const refresh = await fresh.evaluate(() => {
      const start = performance.getEntriesByName('pharos:query-start').at(-1)!.startTime;
      return performance.getEntriesByName('pharos:graph-painted').at(-1)!.startTime - start;
    });
    const refreshPaint = await fresh.locator('[data-testid=inspector-paint]').textContent();
    console.log(
      `[console e2e] ${DENSE_SERIES}×${DENSE_POINTS} graph, cold: navigation→painted ${timing.navigationToPaint.toFixed(0)} ms, ` +
        `query start→painted ${timing.queryToPaint.toFixed(0)} ms, data→painted ${inspector}, wall ${wallMs} ms; ` +
        `refresh: query start→painted ${refresh.toFixed(0)} ms, data→painted ${refreshPaint}`,
    );
    expect(await fresh.locator('[data-testid=inspector-samples]').textContent()).toBe(String(DENSE_SERIES * DENSE_POINTS));
    await fresh.close();
  });
});
