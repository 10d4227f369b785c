/**
 * Remote-write decode benchmark (one core): 100k node_exporter-like series of ~10 labels,
 * bodies of 2,000 samples (one sample per series per body, as live remote write sends),
 * decoded steady-state (label cache warm) with and without snappy, plus a cold pass, the
 * 2.0 protocol, and the collector→processor batch codec.
 *
 *   npm run build && npx node dist/bench/decode-remote-write.js [--seconds=3]
 */
import { compressSync, uncompressSync } from 'snappy';
import { type MetricBatch, decodeMetricBatch, encodeMetricBatch, sampleCount } from '#pharos/metric-model';
import {
  type RemoteWriteSeries,
  RemoteWriteDecoder,
  encodeWriteRequestV1,
  encodeWriteRequestV2,
} from '#pharos/remote-write';

const SERIES = 100_000;
const SAMPLES_PER_BODY = 2_000;
const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 3);

const METRICS = [
  'node_cpu_seconds_total',
  'node_memory_MemFree_bytes',
  'node_filesystem_avail_bytes',
  'node_network_receive_bytes_total',
  'node_disk_io_time_seconds_total',
  'node_load1',
  'node_context_switches_total',
  'node_network_transmit_packets_total',
  'node_filesystem_size_bytes',
  'node_vmstat_pgfault',
];

function seriesLabels(i: number): Record<string, string> {
  const host = Math.floor(i / 100);
  const m = i % 100;
  return {
    __name__: METRICS[m % METRICS.length]!,
    instance: `ip-10-0-${host >> 8}-${host & 255}.eu-west-1.compute.internal:9100`,
    job: 'node-exporter',
    cluster: `prod-${host % 4}`,
    region: 'eu-west-1',
    availability_zone: `eu-west-1${'abc'[host % 3]}`,
    env: 'production',
    team: 'platform',
    cpu: String(m % 16),
    mode: ['user', 'system', 'idle', 'iowait', 'irq', 'steal'][Math.floor(m / 16) % 6]!,
  };
}

function makeBodies(version: '1.0' | '2.0', round: number): { compressed: Buffer[]; raw: Buffer[] } {
  const compressed: Buffer[] = [];
  const raw: Buffer[] = [];
  const t = 1_700_000_000_000 + round * 15_000;
  for (let start = 0; start < SERIES; start += SAMPLES_PER_BODY) {
    const series: RemoteWriteSeries[] = [];
    for (let i = start; i < start + SAMPLES_PER_BODY; i++) {
      series.push({ labels: seriesLabels(i), samples: [{ timestamp: t, value: Math.random() * 1e6 }] });
    }
    const body = version === '1.0' ? encodeWriteRequestV1(series) : encodeWriteRequestV2(series);
    raw.push(body);
    compressed.push(compressSync(body));
  }
  return { compressed, raw };
}

/**
 * Runs `fn` over `items` repeatedly for about `seconds`; returns M samples/s by wall time
 * and by this process' CPU time (the fairer figure on a shared machine: the loop is
 * single-threaded, so CPU time is time on one core).
 */
function measure<T>(items: readonly T[], samplesPerItem: number, fn: (item: T) => void): Rate {
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (const item of items) fn(item);
    n += items.length;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpu0);
  const samples = n * samplesPerItem;
  return { wall: samples / (Number(now - start) / 1e9) / 1e6, cpu: samples / ((cpu.user + cpu.system) / 1e6) / 1e6 };
}

interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

function fmt(r: Rate): string {
  return `${r.cpu.toFixed(2)} M samples/s per CPU-second  (${r.wall.toFixed(2)} by wall clock)`;
}

const results: Record<string, Rate> = {};
for (const version of ['1.0', '2.0'] as const) {
  const rounds = [makeBodies(version, 0), makeBodies(version, 1)];
  const compressed = rounds.flatMap((r) => r.compressed);
  const raw = rounds.flatMap((r) => r.raw);
  const avgCompressed = compressed.reduce((a, b) => a + b.length, 0) / compressed.length;
  const avgRaw = raw.reduce((a, b) => a + b.length, 0) / raw.length;
  console.log(
    `v${version}: ${compressed.length} bodies of ${SAMPLES_PER_BODY} samples, ` +
      `${(avgCompressed / 1024).toFixed(1)} KiB snappy (${(avgCompressed / SAMPLES_PER_BODY).toFixed(1)} B/sample), ${(avgRaw / 1024).toFixed(1)} KiB raw`,
  );

  // Cold: a fresh decoder sees every series for the first time.
  results[`v${version} decode incl. snappy, cold (first sight of each series)`] = measure([rounds[0]!.compressed], SERIES, (bodies) => {
    const cold = new RemoteWriteDecoder();
    for (const body of bodies) cold.decode(body, { version, tenant: 'bench' });
  });

  const decoder = new RemoteWriteDecoder();
  let check = 0;
  for (const body of compressed) check += sampleCount(decoder.decode(body, { version, tenant: 'bench' }).batch);
  if (check !== compressed.length * SAMPLES_PER_BODY) throw new Error(`decoded ${check} samples`);
  results[`v${version} decode incl. snappy, steady state`] = measure(compressed, SAMPLES_PER_BODY, (b) => {
    decoder.decode(b, { version, tenant: 'bench' });
  });
  results[`v${version} decode excl. snappy, steady state`] = measure(raw, SAMPLES_PER_BODY, (b) => {
    decoder.decode(b, { version, tenant: 'bench', compressed: false });
  });
  if (version === '1.0') {
    results['snappy uncompress alone'] = measure(compressed, SAMPLES_PER_BODY, (b) => {
      uncompressSync(b, { asBuffer: true, copyOutputData: true });
    });
    const batches: MetricBatch[] = compressed.map((b) => decoder.decode(b, { version, tenant: 'bench' }).batch);
    const encoded = batches.map((b) => encodeMetricBatch(b));
    const avgEncoded = encoded.reduce((a, b) => a + b.length, 0) / encoded.length;
    console.log(`batch codec: ${(avgEncoded / 1024).toFixed(1)} KiB per batch (${(avgEncoded / SAMPLES_PER_BODY).toFixed(1)} B/sample)`);
    results['batch codec encode'] = measure(batches, SAMPLES_PER_BODY, (b) => {
      encodeMetricBatch(b);
    });
    results['batch codec decode (aligned, views)'] = measure(encoded, SAMPLES_PER_BODY, (b) => {
      decodeMetricBatch(b);
    });
    const unaligned = encoded.map((b) => {
      const copy = new Uint8Array(b.length + 1);
      copy.set(b, 1);
      return copy.subarray(1);
    });
    results['batch codec decode (unaligned, copies)'] = measure(unaligned, SAMPLES_PER_BODY, (b) => {
      decodeMetricBatch(b);
    });
    results['batch codec encode+decode'] = measure(batches, SAMPLES_PER_BODY, (b) => {
      decodeMetricBatch(encodeMetricBatch(b));
    });
  }
}
for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(64)} ${fmt(value)}`);
