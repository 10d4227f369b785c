import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBMetricStore, WriteTrackingStore } from '#pharos/storage';
import { describeMetricStoreConformance } from '../../../conformance/metric-store.conformance.js';

// The embedded default runs the whole suite against real on-disk DuckDB files.
describeMetricStoreConformance('DuckDB', {
  async newLocation() {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-metrics-'));
    return {
      open: () => DuckDBMetricStore.open({ dir, threads: 1 }),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
});

// What the platform runs: the DuckDB store behind the write-tracking wrapper of the query cache.
describeMetricStoreConformance('DuckDB behind WriteTrackingStore', {
  async newLocation() {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-metrics-tracked-'));
    return {
      open: async () => new WriteTrackingStore(await DuckDBMetricStore.open({ dir, threads: 1 })),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
});
