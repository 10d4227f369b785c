import { availableParallelism, hostname } from 'node:os';
import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CONFIG, sendPrometheusData } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import { formatDuration } from '#pharos/promql';
import { queryLimitsFor, querySettings } from './query-limits.js';
import { BUILD_INFO, type BuildInfo } from './tokens.js';

/**
 * The Prometheus version whose HTTP API and PromQL semantics Pharos implements. Grafana and
 * other clients read `version` from buildinfo to decide which API features to use (Prometheus
 * reports its own version there; VictoriaMetrics likewise answers with a Prometheus version),
 * so Pharos reports this one and carries its own version in `pharosVersion`.
 */
export const PROMETHEUS_COMPATIBLE_VERSION = '3.0.0';

/** Prometheus' `time.Time` JSON (RFC 3339 with the fraction's trailing zeros dropped). */
function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/**
 * `/api/v1/status/buildinfo`, `runtimeinfo` and `flags`: the fields Grafana and `promtool`
 * read, filled with what is true of Pharos (no Go runtime: its Go-specific fields report the
 * Node.js equivalents or neutral values).
 */
@Controller('/api/v1/status')
export class StatusApiController {
  private readonly build: BuildInfo;

  constructor(
    @Inject(CONFIG) private readonly config: PharosConfig,
    @Optional() @Inject(BUILD_INFO) build?: BuildInfo,
  ) {
    this.build = build ?? { version: 'unknown', startTimeMs: Date.now() };
  }

  @Get('buildinfo')
  buildinfo(@Res() reply: FastifyReply): void {
    sendPrometheusData(reply, {
      version: PROMETHEUS_COMPATIBLE_VERSION,
      revision: `pharos-${this.build.version}`,
      branch: 'HEAD',
      buildUser: 'pharos',
      buildDate: '',
      goVersion: `node${process.versions.node}`,
      pharosVersion: this.build.version,
    });
  }

  @Get('runtimeinfo')
  runtimeinfo(@Res() reply: FastifyReply): void {
    const started = goTime(this.build.startTimeMs);
    sendPrometheusData(reply, {
      startTime: started,
      CWD: process.cwd(),
      hostname: hostname(),
      serverTime: goTime(Date.now()),
      reloadConfigSuccess: true,
      lastConfigTime: started,
      corruptionCount: 0,
      goroutineCount: 0,
      GOMAXPROCS: availableParallelism(),
      GOMEMLIMIT: 0,
      GOGC: '',
      GODEBUG: '',
      storageRetention: formatDuration(this.config.storage.metrics.retentionMs),
    });
  }

  /** Flags as Prometheus names them, with the values Pharos runs with (the defaults tenant's limits). */
  @Get('flags')
  flags(@Res() reply: FastifyReply): void {
    const c = this.config;
    const limits = queryLimitsFor(c);
    const settings = querySettings(c);
    const flags: Record<string, string> = {
      agent: 'false',
      'enable-feature': '',
      'log.format': c.log.format === 'text' ? 'logfmt' : 'json',
      'log.level': c.log.level,
      'query.lookback-delta': formatDuration(settings.lookbackDeltaMs),
      'query.max-samples': String(limits.maxSamples),
      'query.timeout': formatDuration(limits.timeoutMs),
      'storage.tsdb.path': c.dataDir,
      'storage.tsdb.retention.time': formatDuration(c.storage.metrics.retentionMs),
      'web.enable-admin-api': 'false',
      'web.enable-lifecycle': 'false',
      'web.enable-remote-write-receiver': 'true',
      'web.listen-address': `${c.server.httpAddress}:${c.server.httpPort}`,
    };
    sendPrometheusData(reply, flags);
  }
}
