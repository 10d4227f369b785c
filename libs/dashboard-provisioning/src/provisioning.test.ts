import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyDashboard, parseDashboardModel, serializeDashboardModel } from '#pharos/dashboard-model';
import { MetadataStore } from '#pharos/metadata';
import {
  BUILT_IN_ACTOR,
  FileDashboardSync,
  FileProvisioner,
  PHAROS_OVERVIEW,
  ensureBuiltInDashboard,
  readProvisioningFolder,
  type BuiltInDashboard,
  type FileProblem,
} from '#pharos/dashboard-provisioning';

let dir: string;
let store: MetadataStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pharos-provisioning-'));
  mkdirSync(join(dir, 'dashboards'));
  store = await MetadataStore.open({ url: `sqlite://${join(dir, 'metadata.db')}` });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const folder = () => join(dir, 'dashboards');
const writeJson = (name: string, doc: unknown) => writeFileSync(join(folder(), name), JSON.stringify(doc, null, 2));
const panelModel = (expr: string) => ({ panels: [{ id: 1, type: 'timeseries', targets: [{ refId: 'A', expr }] }] });

describe('ensureBuiltInDashboard', () => {
  const older: BuiltInDashboard = { ...PHAROS_OVERVIEW, title: 'Pharos overview (old)', model: emptyDashboard() };

  it('creates the dashboard (and the tenant row) on first start, then finds it unchanged', async () => {
    expect(await ensureBuiltInDashboard(store, 'ops', PHAROS_OVERVIEW)).toBe('created');
    const d = (await store.dashboards.get('ops', 'pharos-overview'))!;
    expect(d).toMatchObject({ title: 'Pharos overview', tags: ['pharos'], createdBy: BUILT_IN_ACTOR, updatedBy: BUILT_IN_ACTOR, version: 1 });
    expect(parseDashboardModel(d.model).panels.length).toBe(PHAROS_OVERVIEW.model.panels.length);
    expect(await store.tenants.get('ops')).toBeDefined();
    expect(await ensureBuiltInDashboard(store, 'ops', PHAROS_OVERVIEW)).toBe('unchanged');
    expect((await store.dashboards.get('ops', 'pharos-overview'))!.version).toBe(1);
  });

  it('updates what an older version provisioned and nobody edited', async () => {
    expect(await ensureBuiltInDashboard(store, 'ops', older)).toBe('created');
    expect(await ensureBuiltInDashboard(store, 'ops', PHAROS_OVERVIEW)).toBe('updated');
    const d = (await store.dashboards.get('ops', 'pharos-overview'))!;
    expect(d).toMatchObject({ title: 'Pharos overview', version: 2, updatedBy: BUILT_IN_ACTOR });
    expect(d.model).toBe(serializeDashboardModel(parseDashboardModel(PHAROS_OVERVIEW.model)));
  });

  it('leaves a dashboard someone saved alone, and one someone else created under the uid', async () => {
    await ensureBuiltInDashboard(store, 'ops', older);
    const edited = await store.dashboards.update('ops', 'pharos-overview', { title: 'Our overview', updatedBy: null }, 1);
    expect(await ensureBuiltInDashboard(store, 'ops', PHAROS_OVERVIEW)).toBe('kept');
    expect(await store.dashboards.get('ops', 'pharos-overview')).toMatchObject({ title: 'Our overview', version: edited.version });

    await store.tenants.create({ id: 'team' });
    await store.dashboards.create('team', { uid: 'pharos-overview', title: 'Mine', model: '{}', createdBy: null });
    expect(await ensureBuiltInDashboard(store, 'team', PHAROS_OVERVIEW)).toBe('kept');
    expect((await store.dashboards.get('team', 'pharos-overview'))!.title).toBe('Mine');
  });
});

describe('readProvisioningFolder', () => {
  it('reads the Pharos export form, normalises models, and reports each bad file with its reason', async () => {
    writeJson('a.json', { title: 'API', uid: 'api', tags: ['prod'], folder: 'Services', model: panelModel('rate(http_requests_total[5m])') });
    writeJson('b.json', { title: 'Team', uid: 'team-db', tenant: 'team-b', model: {} });
    writeFileSync(join(folder(), 'broken.json'), '{"title": ');
    writeJson('bad-grid.json', { title: 'X', uid: 'x', model: { panels: [{ id: 1, gridPos: { x: 20, w: 10 } }] } });
    writeJson('no-uid.json', { title: 'Y', model: {} });
    writeJson('dup.json', { title: 'API again', uid: 'api', model: {} });
    writeJson('grafana.json', { title: 'G', schemaVersion: 39, panels: [] });
    writeJson('grafana-api.json', {
      meta: { slug: 'node' },
      dashboard: {
        uid: 'grafana-node',
        title: 'Node (Grafana)',
        tags: ['linux'],
        schemaVersion: 39,
        panels: [
          { id: 2, type: 'timeseries', title: 'Load', gridPos: { x: 0, y: 0, w: 12, h: 8 }, targets: [{ refId: 'A', expr: 'node_load1', datasource: { type: 'prometheus', uid: 'p' } }] },
          { id: 3, type: 'news', title: 'News', gridPos: { x: 12, y: 0, w: 12, h: 8 } },
        ],
      },
    });
    writeFileSync(join(folder(), 'notes.txt'), 'not a dashboard');
    const scan = await readProvisioningFolder(folder(), 'default');
    expect(scan.files.map((f) => [f.dashboard.tenant, f.dashboard.uid, f.dashboard.folder])).toEqual([
      ['default', 'api', 'Services'],
      ['team-b', 'team-db', null],
      ['default', 'grafana-node', null],
    ]);
    // Grafana JSON (here an API export) is converted; what did not carry over comes back as warnings.
    const grafana = scan.files[2]!;
    expect(grafana.dashboard).toMatchObject({ title: 'Node (Grafana)', tags: ['linux'] });
    expect(parseDashboardModel(grafana.dashboard.model).panels[0]!.targets[0]!.expr).toBe('node_load1');
    expect(grafana.warnings.some((w) => w.includes('panels[1]'))).toBe(true);
    expect(parseDashboardModel(scan.files[0]!.dashboard.model).panels[0]!.gridPos).toEqual({ x: 0, y: 0, w: 12, h: 8 });
    const reasons = Object.fromEntries(scan.problems.map((p) => [p.path.slice(folder().length + 1), p.reason]));
    expect(reasons['broken.json']).toMatch(/^not valid JSON/);
    expect(reasons['bad-grid.json']).toBe('model.panels[0].gridPos.w: x + w must be at most 24 (x is 20, w is 10)');
    expect(reasons['no-uid.json']).toMatch(/^uid: expected 1-40 letters/);
    expect(reasons['dup.json']).toMatch(/uid "api" of tenant "default" is already provisioned by .*a\.json/);
    expect(reasons['grafana.json']).toBe('Grafana dashboard: uid: missing; a provisioned dashboard needs a stable uid');
    expect(Object.keys(reasons)).toHaveLength(5);
    expect(scan.seen).toHaveLength(8);
  });

  it('fails as a whole only when the folder cannot be listed', async () => {
    await expect(readProvisioningFolder(join(dir, 'missing'), 'default')).rejects.toThrow(/ENOENT/);
  });
});

describe('FileDashboardSync', () => {
  it('creates, leaves unchanged files alone, overwrites on change, and keeps removed files dashboards unless allowed', async () => {
    const sync = new FileDashboardSync(store, { allowRemoval: false });
    writeJson('a.json', { title: 'API', uid: 'api', tags: ['prod'], folder: 'Services', model: panelModel('up') });
    writeJson('b.json', { title: 'B', uid: 'b', model: {} });
    let report = await sync.apply(await readProvisioningFolder(folder(), 'default'));
    expect(report).toMatchObject({ created: ['default/api', 'default/b'], updated: [], removed: [], unchanged: 0, problems: [] });
    const folders = await store.folders.list('default');
    expect(folders.map((f) => f.title)).toEqual(['Services']);
    expect((await store.dashboards.get('default', 'api'))!.folderId).toBe(folders[0]!.id);

    // A console edit of an unchanged file stays.
    await store.dashboards.update('default', 'b', { title: 'B edited', updatedBy: null }, 1);
    report = await sync.apply(await readProvisioningFolder(folder(), 'default'));
    expect(report).toMatchObject({ created: [], updated: [], unchanged: 2 });
    expect((await store.dashboards.get('default', 'b'))!.title).toBe('B edited');

    // A changed file wins.
    writeJson('b.json', { title: 'B v2', uid: 'b', tags: ['x'], model: panelModel('rate(x_total[1m])') });
    report = await sync.apply(await readProvisioningFolder(folder(), 'default'));
    expect(report.updated).toEqual(['default/b']);
    expect(await store.dashboards.get('default', 'b')).toMatchObject({ title: 'B v2', tags: ['x'], version: 3 });

    unlinkSync(join(folder(), 'b.json'));
    report = await sync.apply(await readProvisioningFolder(folder(), 'default'));
    expect(report.removed).toEqual([]);
    expect(await store.dashboards.get('default', 'b')).toBeDefined();

    const removing = new FileDashboardSync(store, { allowRemoval: true });
    report = await removing.apply(await readProvisioningFolder(folder(), 'default'));
    expect(report.removed).toEqual(['default/b']);
    expect(await store.dashboards.get('default', 'b')).toBeUndefined();
    expect(await store.dashboards.get('default', 'api')).toBeDefined();
  });

  it('brings a dashboard back to its file after a restart, and never takes over a uid a user created', async () => {
    writeJson('a.json', { title: 'API', uid: 'api', model: {} });
    await new FileDashboardSync(store, { allowRemoval: false }).apply(await readProvisioningFolder(folder(), 'default'));
    await store.dashboards.update('default', 'api', { title: 'changed in the console', updatedBy: null }, 1);
    await store.dashboards.create('default', { uid: 'mine', title: 'Mine', model: '{}', createdBy: null });
    writeJson('mine.json', { title: 'Taken', uid: 'mine', model: {} });
    const report = await new FileDashboardSync(store, { allowRemoval: true }).apply(await readProvisioningFolder(folder(), 'default'));
    expect(report.updated).toEqual(['default/api']);
    expect((await store.dashboards.get('default', 'api'))!.title).toBe('API');
    expect(report.problems).toEqual([{ path: join(folder(), 'mine.json'), reason: expect.stringMatching(/belongs to a dashboard that was not provisioned from a file/) }]);
    expect((await store.dashboards.get('default', 'mine'))!.title).toBe('Mine');
  });

  it('keeps the dashboard of a file that became invalid, even with removal allowed', async () => {
    const sync = new FileDashboardSync(store, { allowRemoval: true });
    writeJson('a.json', { title: 'API', uid: 'api', model: {} });
    await sync.apply(await readProvisioningFolder(folder(), 'default'));
    writeFileSync(join(folder(), 'a.json'), '{ broken');
    const report = await sync.apply(await readProvisioningFolder(folder(), 'default'));
    expect(report.removed).toEqual([]);
    expect(report.problems).toHaveLength(1);
    expect(await store.dashboards.get('default', 'api')).toBeDefined();
    // A fresh process cannot know which dashboard the broken file stood for: it removes nothing.
    const fresh = await new FileDashboardSync(store, { allowRemoval: true }).apply(await readProvisioningFolder(folder(), 'default'));
    expect(fresh.removed).toEqual([]);
  });
});

describe('FileProvisioner', () => {
  it('re-reads the folder on its interval, reports every failing file each pass but flags repeats', async () => {
    writeJson('a.json', { title: 'API', uid: 'api', model: {} });
    writeFileSync(join(folder(), 'bad.json'), '[');
    const problems: Array<[FileProblem, boolean]> = [];
    const provisioner = new FileProvisioner(store, {
      path: folder(),
      intervalMs: 50,
      allowRemoval: false,
      defaultTenant: 'default',
      onProblem: (p, repeated) => problems.push([p, repeated]),
    });
    const first = await provisioner.start();
    expect(first.created).toEqual(['default/api']);
    writeJson('a.json', { title: 'API v2', uid: 'api', model: {} });
    const deadline = Date.now() + 5_000;
    while ((await store.dashboards.get('default', 'api'))!.title !== 'API v2') {
      if (Date.now() > deadline) throw new Error('the changed file was not applied');
      await new Promise((r) => setTimeout(r, 20));
    }
    await provisioner.stop();
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems[0]).toEqual([{ path: join(folder(), 'bad.json'), reason: expect.stringMatching(/^not valid JSON/) }, false]);
    expect(problems.slice(1).every(([, repeated]) => repeated)).toBe(true);
  });

  it('reports a missing folder as a problem instead of failing', async () => {
    const problems: FileProblem[] = [];
    const provisioner = new FileProvisioner(store, { path: join(dir, 'nope'), intervalMs: 0, allowRemoval: true, defaultTenant: 'default', onProblem: (p) => problems.push(p) });
    const report = await provisioner.start();
    await provisioner.stop();
    expect(report.created).toEqual([]);
    expect(problems).toEqual([{ path: join(dir, 'nope'), reason: expect.stringMatching(/^cannot provision dashboards from the folder: ENOENT/) }]);
  });
});
