/** The `job` label of Pharos' own series. */
export const SELF_MONITORING_JOB = 'pharos';

/** The `protocol` label of self-monitoring writes in `pharos_ingest_samples_total`. */
export const SELF_MONITORING_PROTOCOL = 'self_monitoring';

/**
 * The labels a process puts on its own series: `job="pharos"`, `instance=<host>:<port>` (what
 * a Prometheus scraping the process would put there), and `role` — the process's roles joined
 * by `,` — only when the process runs some roles, since then several processes write the same
 * metric names and a dashboard tells them apart by role.
 */
export function selfMonitoringLabels(host: string, port: number, roles: readonly string[], allRoles: boolean): Record<string, string> {
  const labels: Record<string, string> = { job: SELF_MONITORING_JOB, instance: `${host.includes(':') ? `[${host}]` : host}:${port}` };
  if (!allRoles) labels['role'] = roles.join(',');
  return labels;
}
