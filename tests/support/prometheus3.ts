import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CUSTOM_BUCKETS_SCHEMA, type NativeHistogram } from '#pharos/metric-model';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface Prometheus3Binary {
  readonly path: string;
  /** `3.16.0` for the module version v0.316.0. */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  /** What the build script printed (build time, versions tried). */
  readonly log: string;
}

function run(cmd: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Builds (first time only; cached under ~/.cache/pharos) and returns the Prometheus 3.x
 * binary made by scripts/engines/prometheus3.sh.
 */
export async function prometheus3Binary(): Promise<Prometheus3Binary> {
  const built = await run('bash', [join(ROOT, 'scripts/engines/prometheus3.sh')]);
  if (built.code !== 0) throw new Error(`scripts/engines/prometheus3.sh failed (exit ${built.code}):\n${built.stderr}`);
  const path = built.stdout.trim().split('\n').pop()!;
  const v = await run(path, ['--version']);
  const m = /prometheus, version (\d+)\.(\d+)\.(\d+)\S*/.exec(v.stdout + v.stderr);
  if (!m) throw new Error(`cannot read the version of ${path}:\n${v.stdout}${v.stderr}`);
  return { path, version: `${m[1]}.${m[2]}.${m[3]}`, major: Number(m[1]), minor: Number(m[2]), log: built.stderr };
}

/** One request seen by {@link startRecordingProxy}. */
export interface RecordedRequest {
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  readonly remoteWriteVersion: string | undefined;
  readonly status: number;
  /** The X-Prometheus-Remote-Write-*-Written response headers, when present. */
  readonly samplesWritten: number | undefined;
  readonly histogramsWritten: number | undefined;
  readonly exemplarsWritten: number | undefined;
  /** The response body when the status is not 2xx. */
  readonly error: string | undefined;
}

export interface RecordingProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function intHeader(h: IncomingHttpHeaders, name: string): number | undefined {
  const v = header(h, name);
  return v === undefined ? undefined : Number(v);
}

/**
 * A loopback HTTP proxy in front of Pharos that forwards every request unchanged and records
 * what the sender asked for (Content-Type, version header) and what Pharos answered (status,
 * the 2.0 "written" headers): the evidence that the exchange really was remote write 2.0.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const t = new URL(target);
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: t.host, 'content-length': String(body.length) };
      const out = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers }, (up) => {
        const answer: Buffer[] = [];
        up.on('data', (c: Buffer) => answer.push(c));
        up.on('end', () => {
          const status = up.statusCode ?? 0;
          const text = Buffer.concat(answer);
          if (req.url?.startsWith('/api/v1/write')) {
            requests.push({
              contentType: header(req.headers, 'content-type'),
              contentEncoding: header(req.headers, 'content-encoding'),
              remoteWriteVersion: header(req.headers, 'x-prometheus-remote-write-version'),
              status,
              samplesWritten: intHeader(up.headers, 'x-prometheus-remote-write-samples-written'),
              histogramsWritten: intHeader(up.headers, 'x-prometheus-remote-write-histograms-written'),
              exemplarsWritten: intHeader(up.headers, 'x-prometheus-remote-write-exemplars-written'),
              error: status >= 200 && status < 300 ? undefined : text.toString('utf8').slice(0, 2000),
            });
          }
          res.writeHead(status, up.headers);
          res.end(text);
        });
      });
      out.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${err.message}\n`);
      });
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parses a float as Prometheus' JSON API writes it (`+Inf`, `-Inf`, `NaN` included). */
export function promFloat(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** A histogram as Prometheus' API shows it: count, sum, and its non-empty buckets. */
export interface ApiHistogram {
  readonly count: number;
  readonly sum: number;
  /** `[lower, upper, count]`, sorted by bounds; empty buckets left out. */
  readonly buckets: [number, number, number][];
}

export interface RawSeries {
  readonly floats: Map<number, number>;
  readonly histograms: Map<number, ApiHistogram>;
}

function sortBuckets(b: [number, number, number][]): [number, number, number][] {
  return b.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/** All raw float and histogram samples Prometheus holds in `(time - rangeSeconds, time]`, keyed by series. */
export async function prometheusRawSeries(url: string, timeSeconds: number, rangeSeconds: number, selector = '{__name__=~".+"}'): Promise<Map<string, RawSeries>> {
  const q = new URLSearchParams({ query: `${selector}[${rangeSeconds}s]`, time: String(timeSeconds) });
  const res = await fetch(`${url}/api/v1/query?${q}`);
  type ApiH = { count: string; sum: string; buckets?: [number, string, string, string][] };
  const body = (await res.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; values?: [number, string][]; histograms?: [number, ApiH][] }[] };
  };
  if (body.status !== 'success') throw new Error(`prometheus query failed: ${JSON.stringify(body)}`);
  const out = new Map<string, RawSeries>();
  for (const series of body.data.result) {
    const key = JSON.stringify(Object.entries(series.metric).sort(([a], [b]) => (a < b ? -1 : 1)));
    const floats = new Map<number, number>();
    for (const [ts, v] of series.values ?? []) floats.set(Math.round(ts * 1000), promFloat(v));
    const histograms = new Map<number, ApiHistogram>();
    for (const [ts, h] of series.histograms ?? []) {
      histograms.set(Math.round(ts * 1000), {
        count: promFloat(h.count),
        sum: promFloat(h.sum),
        buckets: sortBuckets((h.buckets ?? []).map(([, lo, hi, c]) => [promFloat(lo), promFloat(hi), promFloat(c)])),
      });
    }
    out.set(key, { floats, histograms });
  }
  return out;
}

/** Upper bound of exponential bucket `index` at `schema` (Prometheus' `getBound`). */
function exponentialBound(index: number, schema: number): number {
  return 2 ** (index * 2 ** -schema);
}

/** A stored native histogram in the shape of {@link ApiHistogram}, computing bucket bounds from the schema. */
export function apiShape(h: NativeHistogram): ApiHistogram {
  const buckets: [number, number, number][] = [];
  const custom = h.schema === CUSTOM_BUCKETS_SCHEMA;
  const walk = (spans: Int32Array, counts: Float64Array, negative: boolean): void => {
    let index = 0;
    let k = 0;
    for (let s = 0; s < spans.length; s += 2) {
      index += spans[s]!;
      for (let j = 0; j < spans[s + 1]!; j++, index++, k++) {
        const c = counts[k]!;
        if (c === 0) continue;
        if (custom) {
          const lower = index === 0 ? -Infinity : h.customValues[index - 1]!;
          const upper = index < h.customValues.length ? h.customValues[index]! : Infinity;
          buckets.push([lower, upper, c]);
        } else if (negative) {
          buckets.push([-exponentialBound(index, h.schema), -exponentialBound(index - 1, h.schema), c]);
        } else {
          buckets.push([exponentialBound(index - 1, h.schema), exponentialBound(index, h.schema), c]);
        }
      }
    }
  };
  walk(h.negativeSpans, h.negativeCounts, true);
  if (!custom && h.zeroCount !== 0) buckets.push([-h.zeroThreshold, h.zeroThreshold, h.zeroCount]);
  walk(h.positiveSpans, h.positiveCounts, false);
  return { count: h.count, sum: h.sum, buckets: sortBuckets(buckets) };
}

function close(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/** Why two histograms differ, or undefined when equal (counts exact, bounds within 1e-12 relative). */
export function histogramDifference(got: ApiHistogram, want: ApiHistogram): string | undefined {
  if (!(got.count === want.count && (got.sum === want.sum || (Number.isNaN(got.sum) && Number.isNaN(want.sum))))) {
    return `count/sum ${got.count}/${got.sum} != ${want.count}/${want.sum}`;
  }
  if (got.buckets.length !== want.buckets.length) return `${got.buckets.length} buckets != ${want.buckets.length}: ${JSON.stringify(got.buckets)} vs ${JSON.stringify(want.buckets)}`;
  for (let i = 0; i < got.buckets.length; i++) {
    const [gl, gu, gc] = got.buckets[i]!;
    const [wl, wu, wc] = want.buckets[i]!;
    if (!(close(gl, wl) && close(gu, wu) && gc === wc)) return `bucket ${i}: [${gl}, ${gu}] ${gc} != [${wl}, ${wu}] ${wc}`;
  }
  return undefined;
}

/** Sums of each metric over all its series in a Prometheus text exposition, filtered by a label substring. */
export async function scrapeSums(url: string, names: readonly string[], labelFilter = ''): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`, { headers: { accept: 'text/plain;version=0.0.4' } })).text();
  const sums: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || !(m[1]! in sums)) continue;
    if (labelFilter && !(m[2] ?? '').includes(labelFilter)) continue;
    sums[m[1]!]! += promFloat(m[3]!);
  }
  return sums;
}

export interface StaticTarget {
  readonly port: number;
  /** How many times it was scraped. */
  readonly scrapes: () => number;
  close(): Promise<void>;
}

/**
 * A scrape target speaking OpenMetrics 1.0: a counter that grows on every scrape with an
 * exemplar on each value (so every scrape stores a new exemplar), UTF-8 metric and label
 * names (quoted, as Prometheus 3 accepts), and gauges holding the float edge cases.
 */
export async function startStaticTarget(): Promise<StaticTarget> {
  let scrapes = 0;
  const server = createServer((_req, res) => {
    scrapes++;
    const body = [
      '# TYPE pharos_test_requests counter',
      '# HELP pharos_test_requests Requests, with a trace exemplar on each value.',
      `pharos_test_requests_total{path="/a"} ${scrapes} # {trace_id="t${scrapes}",span_id="s${scrapes % 7}"} ${scrapes / 10}`,
      '# TYPE "pharos.test.utf8" gauge',
      `{"pharos.test.utf8","ünï.côdé"="✓ ok"} ${scrapes * 1.5}`,
      '# TYPE pharos_test_special gauge',
      'pharos_test_special{kind="nan"} NaN',
      'pharos_test_special{kind="inf"} +Inf',
      'pharos_test_special{kind="neginf"} -Inf',
      'pharos_test_special{kind="tiny"} 5e-324',
      'pharos_test_special{kind="big"} 1.7976931348623157e+308',
      'pharos_test_special{kind="negzero"} -0',
      '# EOF',
      '',
    ].join('\n');
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    scrapes: () => scrapes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
