/**
 * Serves `targets` scrape targets of `series` series each, for the scrape benchmark, in its
 * own process so its CPU is not counted as Pharos'. Target i listens on 127.0.<i/250>.<i%250+1>
 * at one port (Linux answers on the whole 127/8 without configuration), so every target has
 * its own address and `instance`. Bodies look like node_exporter's (families with HELP/TYPE,
 * a few labels each, counters that move) and are gzipped in advance in a few variants that
 * rotate, so the server spends almost nothing per request.
 *
 * argv: <port> <targets> <series>; prints "ready" on stdout once every target listens.
 */
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';

const [port, targets, series] = process.argv.slice(2).map(Number) as [number, number, number];
const VARIANTS = 4;
const FAMILIES = 20;

function body(target: number, variant: number): Buffer {
  const perFamily = Math.ceil(series / FAMILIES);
  let out = '';
  let written = 0;
  for (let f = 0; f < FAMILIES && written < series; f++) {
    const name = `bench_family_${f}_total`;
    out += `# HELP ${name} A counter of the scrape benchmark, family ${f}.\n# TYPE ${name} counter\n`;
    for (let s = 0; s < perFamily && written < series; s++, written++) {
      const value = (target * 7919 + f * 104729 + s * 31 + variant * 15) * 1.5;
      out += `${name}{device="dev${s % 16}",mode="m${s}",cpu="${s % 8}"} ${value}\n`;
    }
  }
  return gzipSync(out);
}

export function addressOf(i: number): string {
  return `127.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

const servers: Server[] = [];
let pending = targets;
for (let i = 0; i < targets; i++) {
  const bodies = Array.from({ length: VARIANTS }, (_, v) => body(i, v));
  let n = 0;
  const server = createServer((req, res) => {
    const b = bodies[n++ % VARIANTS]!;
    const gzip = (req.headers['accept-encoding'] ?? '').includes('gzip');
    if (!gzip) {
      res.writeHead(406).end('the benchmark serves gzip only\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-encoding': 'gzip', 'content-length': b.length });
    res.end(b);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, addressOf(i), () => {
    if (--pending === 0) process.stdout.write('ready\n');
  });
  servers.push(server);
}

process.on('SIGTERM', () => {
  for (const s of servers) s.close();
  process.exit(0);
});
