/**
 * The synthetic fleet the ingest benchmark writes: node_exporter-like series (about ten
 * labels each, grouped by host the way a real scrape groups them) and a deterministic value
 * model, so every target, run and sender sees exactly the same data.
 *
 * Values matter for bytes/sample: constant series compress to almost nothing in any TSDB and
 * random doubles to almost nothing either way, so the mix imitates node_exporter: counters
 * that grow by a per-series rate in hundredths (CPU seconds), byte gauges that move in
 * 4 KiB pages, small-integer gauges, and a share of constants (sizes, info metrics).
 */

/** One family of node_exporter metrics and the per-host label combinations it expands to. */
interface Family {
  readonly names: readonly string[];
  readonly kind: ValueKind;
  /** Extra label sets per host (beyond the host labels); `[{}]` for a single series per name. */
  readonly variants: readonly Record<string, string>[];
}

/** node_exporter's usual scrape interval; timestamps advance by it from one scrape to the next. */
export const SCRAPE_INTERVAL_MS = 15_000;

export type ValueKind = 'counter' | 'bytes' | 'gauge' | 'constant';

/** A series of the fleet: its labels as a flat, name-sorted `[name, value, …]` list. */
export interface FleetSeries {
  readonly labels: readonly string[];
  readonly kind: ValueKind;
  /** Per-series constants of the value model. */
  readonly base: number;
  readonly rate: number;
  /** Where in the scrape interval this series' host is scraped (ms): scrapes are spread. */
  readonly offsetMs: number;
}

const CPUS = range(16).map(String);
const CPU_MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'];
const DISKS = ['nvme0n1', 'nvme1n1', 'sda', 'sdb'];
const NICS = ['eth0', 'eth1', 'bond0', 'docker0', 'lo', 'veth1a2b3c'];
const MOUNTS: Record<string, string>[] = [
  { device: '/dev/nvme0n1p2', fstype: 'ext4', mountpoint: '/' },
  { device: '/dev/nvme0n1p1', fstype: 'vfat', mountpoint: '/boot/efi' },
  { device: '/dev/nvme1n1', fstype: 'xfs', mountpoint: '/var/lib/data' },
  { device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/run' },
  { device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/dev/shm' },
  { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/srv' },
  { device: '/dev/sdb1', fstype: 'ext4', mountpoint: '/backup' },
  { device: 'overlay', fstype: 'overlay', mountpoint: '/var/lib/docker/overlay2' },
];
const MEMORY_FIELDS = [
  'MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapCached', 'Active', 'Inactive', 'Active_anon',
  'Inactive_anon', 'Active_file', 'Inactive_file', 'Unevictable', 'Mlocked', 'SwapTotal', 'SwapFree', 'Dirty',
  'Writeback', 'AnonPages', 'Mapped', 'Shmem', 'KReclaimable', 'Slab', 'SReclaimable', 'SUnreclaim', 'KernelStack',
  'PageTables', 'Committed_AS', 'VmallocUsed', 'Percpu',
];
const IRQ_TYPES = range(20).map((i) => `irq${i}`);

const FAMILIES: readonly Family[] = [
  { names: ['node_cpu_seconds_total'], kind: 'counter', variants: cross({ cpu: CPUS }, { mode: CPU_MODES }) },
  { names: ['node_cpu_guest_seconds_total'], kind: 'constant', variants: cross({ cpu: CPUS }, { mode: ['nice', 'user'] }) },
  { names: ['node_interrupts_total'], kind: 'counter', variants: cross({ cpu: CPUS }, { type: IRQ_TYPES }) },
  {
    names: ['node_schedstat_running_seconds_total', 'node_schedstat_timeslices_total', 'node_schedstat_waiting_seconds_total'],
    kind: 'counter',
    variants: cross({ cpu: CPUS }),
  },
  {
    names: [
      'node_disk_reads_completed_total', 'node_disk_writes_completed_total', 'node_disk_read_bytes_total',
      'node_disk_written_bytes_total', 'node_disk_io_time_seconds_total', 'node_disk_read_time_seconds_total',
      'node_disk_write_time_seconds_total', 'node_disk_reads_merged_total', 'node_disk_writes_merged_total',
      'node_disk_io_time_weighted_seconds_total', 'node_disk_discards_completed_total', 'node_disk_flush_requests_total',
    ],
    kind: 'counter',
    variants: cross({ device: DISKS }),
  },
  {
    names: [
      'node_network_receive_bytes_total', 'node_network_transmit_bytes_total', 'node_network_receive_packets_total',
      'node_network_transmit_packets_total', 'node_network_receive_errs_total', 'node_network_transmit_errs_total',
      'node_network_receive_drop_total', 'node_network_transmit_drop_total', 'node_network_receive_multicast_total',
      'node_network_transmit_colls_total', 'node_network_receive_fifo_total', 'node_network_transmit_fifo_total',
      'node_network_receive_frame_total', 'node_network_transmit_carrier_total', 'node_network_receive_compressed_total',
      'node_network_transmit_compressed_total',
    ],
    kind: 'counter',
    variants: cross({ device: NICS }),
  },
  { names: ['node_filesystem_avail_bytes', 'node_filesystem_free_bytes'], kind: 'bytes', variants: MOUNTS },
  {
    names: ['node_filesystem_size_bytes', 'node_filesystem_files', 'node_filesystem_readonly', 'node_filesystem_device_error'],
    kind: 'constant',
    variants: MOUNTS,
  },
  {
    names: range(40).map((i) => `node_memory_${MEMORY_FIELDS[i % MEMORY_FIELDS.length]}${i < MEMORY_FIELDS.length ? '' : '_pages'}_bytes`),
    kind: 'bytes',
    variants: [{}],
  },
  { names: range(20).map((i) => `node_memory_static_${i}_bytes`), kind: 'constant', variants: [{}] },
  { names: range(80).map((i) => `node_netstat_field_${i}`), kind: 'counter', variants: [{}] },
  { names: range(60).map((i) => `node_vmstat_field_${i}`), kind: 'counter', variants: [{}] },
  { names: range(20).map((i) => `node_sockstat_field_${i}`), kind: 'gauge', variants: [{}] },
  {
    names: ['node_load1', 'node_load5', 'node_load15', 'node_procs_running', 'node_procs_blocked', 'node_entropy_available_bits',
      'node_filefd_allocated', 'node_nf_conntrack_entries', 'node_processes_threads', 'node_processes_pids'],
    kind: 'gauge',
    variants: [{}],
  },
  { names: ['node_boot_time_seconds', 'node_filefd_maximum', 'node_nf_conntrack_entries_limit', 'node_uname_info'], kind: 'constant', variants: [{}] },
  { names: ['node_context_switches_total', 'node_forks_total', 'node_intr_total'], kind: 'counter', variants: [{}] },
];


const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'];
const ENVS = ['prod', 'prod', 'prod', 'staging'];
const TEAMS = ['payments', 'search', 'checkout', 'platform', 'data', 'identity'];

/** Series every host exposes (the families above expanded); about a thousand. */
export function seriesPerHost(): number {
  let n = 0;
  for (const f of FAMILIES) n += f.names.length * f.variants.length;
  return n;
}

/**
 * The first `count` series of the fleet, host after host (the last host may be partial),
 * each with `job`, `instance`, `env`, `region`, `zone`, `cluster`, `team`, `__name__` and
 * the family's own labels: 9–11 labels, as node_exporter series carry after relabelling.
 */
export function buildFleet(count: number): FleetSeries[] {
  const out: FleetSeries[] = [];
  for (let host = 0; out.length < count; host++) {
    const region = REGIONS[host % REGIONS.length]!;
    const offsetMs = (host * 977) % SCRAPE_INTERVAL_MS;
    const hostLabels: Record<string, string> = {
      job: 'node',
      instance: `node-${String(host).padStart(5, '0')}.${region}.internal:9100`,
      env: ENVS[(host >> 2) % ENVS.length]!,
      region,
      zone: `${region}${'abc'[host % 3]}`,
      cluster: `k8s-${region}-${host % 7}`,
      team: TEAMS[host % TEAMS.length]!,
    };
    for (const f of FAMILIES) {
      for (const name of f.names) {
        for (const v of f.variants) {
          if (out.length >= count) return out;
          const labels = sortedFlat({ __name__: name, ...hostLabels, ...v });
          const h = mix32(out.length * 0x9e3779b1 + 0x7f4a7c15);
          out.push({ labels, kind: f.kind, base: baseFor(f.kind, h), rate: rateFor(f.kind, h), offsetMs });
        }
      }
    }
  }
  return out;
}

/** Value of `s` at scrape number `step` (0-based): deterministic, so runs replay identically. */
export function valueAt(s: FleetSeries, index: number, step: number): number {
  switch (s.kind) {
    case 'constant':
      return s.base;
    case 'counter': {
      // Hundredths like /proc's CPU and I/O times, with a little jitter per scrape.
      const jitter = mix32(index * 31 + step) % 7;
      return Math.round((s.base + step * s.rate + jitter) * 100) / 100;
    }
    case 'bytes':
      return s.base + ((mix32(index * 131 + step) % 2048) - 1024) * 4096;
    case 'gauge':
      return Math.floor(s.base + (mix32(index * 17 + step) % 50));
  }
}

function baseFor(kind: ValueKind, h: number): number {
  switch (kind) {
    case 'constant':
      return (h % 1000) * 1_048_576;
    case 'counter':
      return h % 10_000_000;
    case 'bytes':
      return (1 + (h % 65_536)) * 262_144;
    case 'gauge':
      return h % 500;
  }
}

function rateFor(kind: ValueKind, h: number): number {
  return kind === 'counter' ? ((h >>> 8) % 100_000) / 100 : 0;
}

function sortedFlat(labels: Record<string, string>): string[] {
  const names = Object.keys(labels).sort();
  const flat: string[] = [];
  for (const n of names) flat.push(n, labels[n]!);
  return flat;
}

function cross(...dims: Record<string, readonly string[]>[]): Record<string, string>[] {
  let acc: Record<string, string>[] = [{}];
  for (const dim of dims) {
    const [name, values] = Object.entries(dim)[0]!;
    acc = acc.flatMap((a) => values.map((v) => ({ ...a, [name]: v })));
  }
  return acc;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** A 32-bit integer hash (Murmur3's finaliser), for cheap deterministic "randomness". */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
