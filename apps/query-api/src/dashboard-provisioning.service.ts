import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Counter } from 'prom-client';
import { CONFIG, LOGGER, METADATA_STORE, SELF_METRICS } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import { FileProvisioner, PHAROS_OVERVIEW, ensureBuiltInDashboard } from '#pharos/dashboard-provisioning';
import type { MetadataStore } from '#pharos/metadata';
import type { Logger, SelfMetrics } from '#pharos/telemetry';

/**
 * Dashboard provisioning in the query-api role (the metadata store is open and migrated by
 * then): the built-in "Pharos overview" in the self-monitoring tenant, and the dashboards of
 * `dashboards.provisioning.path`, re-read every interval. Nothing here can stop a start: every
 * failure is logged with its reason and counted in `pharos_dashboard_provisioning_errors_total`.
 */
@Injectable()
export class DashboardProvisioningService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log: Logger;
  private readonly errors: Counter<'source'>;
  private files: FileProvisioner | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: PharosConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(SELF_METRICS) metrics: SelfMetrics,
    @Optional() @Inject(METADATA_STORE) private readonly metadata: MetadataStore | undefined,
  ) {
    this.log = logger.child({ component: 'dashboard-provisioning' });
    this.errors = new Counter({
      name: 'pharos_dashboard_provisioning_errors_total',
      help: 'Dashboards that could not be provisioned, by source (file: a file of dashboards.provisioning.path, counted every pass while it fails; built_in: the Pharos overview).',
      labelNames: ['source'],
      registers: [metrics.registry],
    });
    this.errors.inc({ source: 'file' }, 0);
    this.errors.inc({ source: 'built_in' }, 0);
  }

  async onApplicationBootstrap(): Promise<void> {
    const store = this.metadata;
    if (!store) return;
    if (this.config.selfMonitoring.enabled) await this.provisionOverview(store);
    const p = this.config.dashboards.provisioning;
    if (p.path === '') return;
    this.files = new FileProvisioner(store, {
      path: p.path,
      intervalMs: p.intervalMs,
      allowRemoval: p.allowRemoval,
      defaultTenant: 'default',
      onProblem: (problem, repeated) => {
        this.errors.inc({ source: 'file' });
        if (!repeated) this.log.error({ path: problem.path, reason: problem.reason }, 'dashboard file not provisioned');
      },
      onWarning: (path, warning) => this.log.warn({ path, warning }, 'dashboard file converted with a loss'),
      onPass: (r) => {
        if (r.created.length + r.updated.length + r.removed.length > 0) {
          this.log.info({ created: r.created, updated: r.updated, removed: r.removed }, 'dashboards provisioned from files');
        }
      },
    });
    const first = await this.files.start();
    this.log.info({ path: p.path, dashboards: first.created.length + first.updated.length + first.unchanged, problems: first.problems.length }, 'dashboard file provisioning started');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.files?.stop();
  }

  private async provisionOverview(store: MetadataStore): Promise<void> {
    const tenant = this.config.selfMonitoring.tenant;
    try {
      const outcome = await ensureBuiltInDashboard(store, tenant, PHAROS_OVERVIEW);
      if (outcome === 'kept') this.log.info({ tenant, uid: PHAROS_OVERVIEW.uid }, 'the built-in overview dashboard was changed by a user and is left as it is');
      else if (outcome !== 'unchanged') this.log.info({ tenant, uid: PHAROS_OVERVIEW.uid, outcome }, 'built-in overview dashboard provisioned');
    } catch (err) {
      this.errors.inc({ source: 'built_in' });
      this.log.error({ err, tenant, uid: PHAROS_OVERVIEW.uid }, 'cannot provision the built-in overview dashboard');
    }
  }
}

export const DASHBOARD_PROVISIONING_PROVIDERS: Provider[] = [DashboardProvisioningService];
