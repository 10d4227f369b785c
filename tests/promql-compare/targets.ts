import { join } from 'node:path';
import { startPharos, tempDir, removeDir, type PharosProcess } from '../support/pharos-process.js';
import { startPrometheus, type PrometheusProcess } from '../support/prometheus-process.js';
import { prometheus3Binary } from '../support/prometheus3.js';

/** The engines compared: Prometheus 3.x is the reference semantics, 2.42 the Debian one. */
export type TargetName = 'prometheus3' | 'prometheus2' | 'pharos';

export interface QueryTarget {
  readonly name: TargetName;
  readonly url: string;
  /** e.g. `2.42.0`, `3.16.0`, `pharos`. */
  readonly version: string;
  /** What the process printed, for failure reports. */
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * No scrape jobs: the data arrives by remote_write only. The global evaluation interval keeps
 * its default (1m): it is also the step of a subquery without one (`x[1h:]`) in instant queries.
 */
const EMPTY_CONFIG = (): string => 'global: {}\n';

/**
 * Debian's Prometheus 2.42. Native histograms are behind a feature flag there; the receiver
 * accepts remote-write 1.0 only. Historic samples (hours back) are accepted as long as they
 * arrive in time order, so no out-of-order window is needed.
 */
export async function startPrometheus2(binary = '/usr/bin/prometheus'): Promise<QueryTarget> {
  const p = await startPrometheus(EMPTY_CONFIG, ['--web.enable-remote-write-receiver', '--enable-feature=native-histograms'], binary);
  return fromPrometheus('prometheus2', p, await versionOf(p.url));
}

/**
 * Prometheus 3.x (built by scripts/engines/prometheus3.sh). The receiver takes remote-write
 * 1.0 and 2.0; native histograms (custom buckets included) are always on. The experimental
 * functions (limitk, limit_ratio, sort_by_label, mad_over_time, double_exponential_smoothing,
 * …) are behind `promql-experimental-functions`, arithmetic in durations (`[5m+1m]`,
 * `[step()]`) behind `promql-duration-expr`.
 */
export async function startPrometheus3(): Promise<QueryTarget> {
  const binary = await prometheus3Binary();
  if (binary.major !== 3) throw new Error(`expected a Prometheus 3.x binary, got ${binary.version}`);
  const p = await startPrometheus(EMPTY_CONFIG, ['--web.enable-remote-write-receiver', '--enable-feature=promql-experimental-functions,promql-duration-expr'], binary.path);
  return fromPrometheus('prometheus3', p, binary.version);
}

/** The built `pharos` binary (dist/), all roles in one process, with a fresh data directory. */
export async function startPharosTarget(): Promise<QueryTarget> {
  const dir = tempDir('promql-compare');
  let p: PharosProcess;
  try {
    p = await startPharos({ dataDir: join(dir, 'data') });
  } catch (err) {
    removeDir(dir);
    throw err;
  }
  return {
    name: 'pharos',
    url: p.url,
    version: 'pharos',
    output: p.output,
    async stop() {
      await p.stop();
      removeDir(dir);
    },
  };
}

function fromPrometheus(name: TargetName, p: PrometheusProcess, version: string): QueryTarget {
  return { name, url: p.url, version, output: p.output, stop: () => p.stop() };
}

async function versionOf(url: string): Promise<string> {
  const body = (await (await fetch(`${url}/api/v1/status/buildinfo`)).json()) as { data?: { version?: string } };
  return body.data?.version ?? 'unknown';
}
