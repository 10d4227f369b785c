/**
 * The systems the benchmark writes to, and how each one tells what it has stored.
 *
 * "Stored" is read from each target's own counters, never inferred from acknowledgements:
 * - Pharos acknowledges once the stream holds the data; the processor appends it to the
 *   store later: `pharos_processor_appended_samples_total`, with `pharos_stream_lag_records`
 *   showing how far its commits (after each store flush) trail.
 * - Prometheus appends to the head (and WAL) before answering:
 *   `prometheus_tsdb_head_samples_appended_total`.
 * - VictoriaMetrics 1.79 adds rows to its in-memory storage shards before answering:
 *   `vm_rows_added_to_storage_total` (its `vm_rows_inserted_total{type="promremotewrite"}`
 *   counts rows parsed, `vm_rows{type=...}` rows already merged into parts on disk).
 *
 * Pharos is a target once per protocol: `pharos` (remote write 1.0), `pharos-otlp-grpc`
 * (OTLP/gRPC on its own port, `otlp.grpc_port`) and `pharos-otlp-http` (OTLP/HTTP
 * `/v1/metrics` on `otlp.http_port`). Neither peer speaks OTLP (Prometheus 2.42 and
 * VictoriaMetrics 1.79 predate their receivers), so OTLP is compared with Pharos' own remote
 * write. Every Pharos target gets the dedicated OTLP ports it does not use turned off, so it
 * never competes for 4317/4318 with another Pharos on the machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sumOf, type Exposition } from './exposition.js';
import type { IngestProtocol } from './protocols.js';

export const TARGET_NAMES = ['pharos', 'pharos-otlp-grpc', 'pharos-otlp-http', 'prometheus', 'victoria-metrics'] as const;
/** What `--targets` means when not given: the remote-write comparison of the three systems. */
export const DEFAULT_TARGETS: readonly TargetName[] = ['pharos', 'prometheus', 'victoria-metrics'];
export type TargetName = (typeof TARGET_NAMES)[number];

export interface LaunchContext {
  readonly dataDir: string;
  /** For config files and logs; not counted in bytes on disk. */
  readonly workDir: string;
  readonly port: number;
  /** A second free port, for a target whose write endpoint has a listener of its own. */
  readonly auxPort: number;
  readonly repoRoot: string;
  /** Extra flags for the node running Pharos (e.g. `--cpu-prof`); peers ignore them. */
  readonly pharosNodeArgs?: readonly string[];
}

export interface TargetDefinition {
  readonly name: TargetName;
  readonly protocol: IngestProtocol;
  /** Why it cannot run here, or undefined when it can. */
  unavailable(repoRoot: string): string | undefined;
  version(repoRoot: string): string;
  command(ctx: LaunchContext): { file: string; args: string[]; env?: Readonly<Record<string, string>> };
  /** Where the load goes: `http://…` or, for gRPC, `grpc://host:port`. */
  writeUrl(ctx: { readonly host: string; readonly port: number; readonly auxPort: number }): string;
  /** Remote write 1.0 path on the main port (the freshness probe writes there). */
  readonly writePath: string;
  readonly readyPath: string;
  readonly metricsPath: string;
  /** Samples the target has stored (readable), from its own metrics. */
  stored(m: Exposition): number;
  /** Samples the target has accepted, by its own count (may be ahead of stored). */
  accepted(m: Exposition): number;
  /** Records written but not yet processed, for targets that decouple the two. */
  lag?(m: Exposition): number;
}

/** OTLP listener ports for a Pharos target: only the one its protocol uses is open. */
function otlpPorts(protocol: IngestProtocol, auxPort: number): Record<string, string> {
  return {
    PHAROS_OTLP_GRPC_PORT: protocol === 'otlp-grpc' ? String(auxPort) : '-1',
    PHAROS_OTLP_HTTP_PORT: protocol === 'otlp-http' ? String(auxPort) : '-1',
  };
}

function pharosTarget(name: TargetName, protocol: IngestProtocol): TargetDefinition {
  return {
    name,
    protocol,
    unavailable: (root) =>
      existsSync(join(root, 'dist/apps/pharos/src/index.js')) ? undefined : 'not built (dist/apps/pharos/src/index.js missing): `npm run build` failed or was not run',
    version: (root) => {
      try {
        return `git ${execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()} (+ working tree)`;
      } catch {
        return 'working tree';
      }
    },
    command: (ctx) => ({
      // The bench runs on the project's Node 24 (npm puts node_modules/.bin first): start
      // Pharos on the same binary, directly, so the measured pid is Pharos and not a wrapper.
      file: process.execPath,
      args: [
        ...(ctx.pharosNodeArgs ?? []),
        join(ctx.repoRoot, 'bin/pharos.js'),
        'start',
        '--data-dir',
        ctx.dataDir,
        '--http-port',
        String(ctx.port),
        '--http-address',
        '127.0.0.1',
      ],
      env: otlpPorts(protocol, ctx.auxPort),
    }),
    writeUrl: ({ host, port, auxPort }) => {
      switch (protocol) {
        case 'remote-write':
          return `http://${host}:${port}/api/v1/write`;
        case 'otlp-http':
          return `http://${host}:${auxPort}/v1/metrics`;
        case 'otlp-grpc':
          return `grpc://${host}:${auxPort}`;
      }
    },
    writePath: '/api/v1/write',
    readyPath: '/-/ready',
    metricsPath: '/metrics',
    stored: (m) => sumOf(m, 'pharos_processor_appended_samples_total'),
    accepted: (m) => sumOf(m, 'pharos_ingest_samples_total'),
    lag: (m) => sumOf(m, 'pharos_stream_lag_records'),
  };
}

const prometheus: TargetDefinition = {
  name: 'prometheus',
  protocol: 'remote-write',
  unavailable: () => (onPath('prometheus') ? undefined : 'the `prometheus` binary is not installed (scripts/engines/debian-packages.sh)'),
  version: () => `${debianVersion('prometheus')} (Debian)`,
  command: (ctx) => {
    const config = join(ctx.workDir, 'prometheus.yml');
    // No scrape jobs: the only samples it stores are the ones the bench writes.
    writeFileSync(config, 'global:\n  scrape_interval: 15s\n');
    return {
      file: 'prometheus',
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${ctx.dataDir}`,
        `--web.listen-address=127.0.0.1:${ctx.port}`,
        '--web.enable-remote-write-receiver',
        '--log.level=warn',
      ],
    };
  },
  writeUrl: ({ host, port }) => `http://${host}:${port}/api/v1/write`,
  writePath: '/api/v1/write',
  readyPath: '/-/ready',
  metricsPath: '/metrics',
  stored: (m) => sumOf(m, 'prometheus_tsdb_head_samples_appended_total'),
  accepted: (m) => sumOf(m, 'prometheus_tsdb_head_samples_appended_total'),
};

const victoriaMetrics: TargetDefinition = {
  name: 'victoria-metrics',
  protocol: 'remote-write',
  unavailable: () => (onPath('victoria-metrics') ? undefined : 'the `victoria-metrics` binary is not installed (scripts/engines/debian-packages.sh)'),
  version: () => `${debianVersion('victoria-metrics')} (Debian)`,
  command: (ctx) => ({
    file: 'victoria-metrics',
    args: [`-httpListenAddr=127.0.0.1:${ctx.port}`, `-storageDataPath=${ctx.dataDir}`, '-loggerLevel=WARN'],
  }),
  writeUrl: ({ host, port }) => `http://${host}:${port}/api/v1/write`,
  writePath: '/api/v1/write',
  readyPath: '/health',
  metricsPath: '/metrics',
  stored: (m) => sumOf(m, 'vm_rows_added_to_storage_total'),
  accepted: (m) => sumOf(m, 'vm_rows_inserted_total', { type: 'promremotewrite' }),
};

export const TARGETS: Readonly<Record<TargetName, TargetDefinition>> = {
  pharos: pharosTarget('pharos', 'remote-write'),
  'pharos-otlp-grpc': pharosTarget('pharos-otlp-grpc', 'otlp-grpc'),
  'pharos-otlp-http': pharosTarget('pharos-otlp-http', 'otlp-http'),
  prometheus,
  'victoria-metrics': victoriaMetrics,
};

function onPath(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function debianVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown version';
  }
}
