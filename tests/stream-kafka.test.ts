/**
 * The Kafka adapter against a real Apache Kafka broker (KRaft, single node) that this file
 * starts itself through scripts/engines/kafka.sh (idempotent: a broker left running by an
 * earlier run is reused). The port's shared conformance suite runs first, then what only a
 * real broker can show: request splitting, redelivery after a handler error, produce
 * throughput, and two OS processes sharing a topic.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaStream, parseKafkaUrl, partitionForKey, type KafkaLogEntry } from '#pharos/stream';
import { describeStreamConformance } from '../libs/stream/conformance/stream.conformance.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const host = process.env['PHAROS_KAFKA_HOST'] ?? '127.0.0.1';
const port = process.env['PHAROS_KAFKA_PORT'] ?? '19092';
const brokers = [`${host}:${port}`];

/** Client log lines at warn or above; a clean run should have none. */
const logged: KafkaLogEntry[] = [];
const logger = (e: KafkaLogEntry): void => {
  logged.push(e);
};

const open = (): Promise<KafkaStream> =>
  KafkaStream.connect({ brokers, clientId: 'pharos-test', logger, logLevel: 'warn' });

beforeAll(async () => {
  // The first run on a machine downloads Kafka from Maven Central (about 40 jars).
  await promisify(execFile)('bash', [join(root, 'scripts/engines/kafka.sh'), 'up'], {
    env: { ...process.env, PHAROS_KAFKA_HOST: host, PHAROS_KAFKA_PORT: port },
    timeout: 170_000,
  });
}, 180_000);

describeStreamConformance('kafka', {
  open,
  // Group joins and rebalances go through the broker's coordinator: slower than in-process.
  testTimeoutMs: 90_000,
  waitTimeoutMs: 40_000,
});

describe('kafka adapter on a real broker', () => {
  afterAll(() => {
    // Routine rebalances are demoted to info; anything left at warn or error is a finding.
    expect(logged.filter((e) => e.level === 'error')).toEqual([]);
    const warnings = logged.filter((e) => e.level === 'warn').map((e) => `${e.namespace}: ${e.message}`);
    if (warnings.length > 0) console.info(`kafka client warnings:\n${warnings.join('\n')}`);
  });

  it('connects through the parsed URL and refuses a partition out of range', async () => {
    const s = await KafkaStream.connect({ ...parseKafkaUrl(`kafka://${host}:${port}`), logger });
    try {
      const topic = `kafka-range-${randomBytes(4).toString('hex')}`;
      await s.ensureTopic(topic, 2);
      await expect(s.producer().produce(topic, [{ key: 'k', value: new Uint8Array(1), partition: 2 }])).rejects.toThrow(
        RangeError,
      );
    } finally {
      await s.close();
    }
  });

  it('splits one produce call larger than a record batch into several requests, offsets dense', async () => {
    const s = await open();
    try {
      const topic = `kafka-split-${randomBytes(4).toString('hex')}`;
      await s.ensureTopic(topic, 2);
      // 3 × 8 MiB topic limit on partition 0, a little on partition 1.
      const records = Array.from({ length: 48 }, (_, i) => ({
        key: `k${i}`,
        value: randomBytes(512 * 1024),
        partition: i % 12 === 11 ? 1 : 0,
      }));
      const acks = await s.producer().produce(topic, records);
      const p0 = acks.filter((a) => a.partition === 0).map((a) => a.offset);
      const p1 = acks.filter((a) => a.partition === 1).map((a) => a.offset);
      expect(p0).toEqual(Array.from({ length: 44 }, (_, i) => i));
      expect(p1).toEqual([0, 1, 2, 3]);
      expect((await s.lag('nobody', topic)).map((l) => l.endOffset)).toEqual([44, 4]);
    } finally {
      await s.close();
    }
  });

  it('names a missing topic in the error', async () => {
    const s = await open();
    try {
      await expect(s.partitionCount(`kafka-missing-${randomBytes(4).toString('hex')}`)).rejects.toThrow(/unknown topic/);
    } finally {
      await s.close();
    }
  });

  it('delivers a batch again after its handler threw, from its first record', async () => {
    // Its own log sink: the handler failure is logged at error on purpose.
    const errors: KafkaLogEntry[] = [];
    const s = await KafkaStream.connect({ brokers, retryBackoffMs: 100, logger: (e) => errors.push(e) });
    try {
      const topic = `kafka-retry-${randomBytes(4).toString('hex')}`;
      await s.ensureTopic(topic, 1);
      await s.producer().produce(
        topic,
        Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: Buffer.from(`v${i}`), partition: 0 })),
      );
      const offsets: number[] = [];
      let failed = false;
      const c = s.consumer({ group: `kafka-retry-g-${randomBytes(4).toString('hex')}`, topic });
      await c.run({
        onBatch: async (batch) => {
          offsets.push(...batch.records.map((r) => r.offset));
          if (!failed) {
            failed = true;
            throw new Error('downstream unavailable');
          }
        },
      });
      const deadline = Date.now() + 20_000;
      while (offsets.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await c.stop();
      expect(offsets).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
      expect(errors.some((e) => e.level === 'error' && /downstream unavailable/.test(String(e.fields['error'])))).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('measures produce throughput of 16 KiB values (acks=-1, idempotent)', async () => {
    const s = await open();
    try {
      const topic = `kafka-throughput-${randomBytes(4).toString('hex')}`;
      await s.ensureTopic(topic, 4);
      const value = randomBytes(16 * 1024);
      const p = s.producer();
      await p.produce(topic, [{ key: 'warm-up', value }]);
      const total = 2048;
      let next = 0;
      const started = performance.now();
      // Eight collector-like callers of 64 records (1 MiB) each, sharing the producer.
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < total) {
            const from = next;
            next += 64;
            await p.produce(
              topic,
              Array.from({ length: 64 }, (_, i) => ({ key: `tenant/series-${from + i}`, value })),
            );
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const mib = (total * value.byteLength) / 1024 / 1024;
      console.info(
        `kafka produce: ${(total / seconds).toFixed(0)} records/s, ${(mib / seconds).toFixed(1)} MiB/s (${total} × 16 KiB in ${seconds.toFixed(2)} s)`,
      );
      const ends = await s.lag('nobody', topic);
      expect(ends.reduce((n, l) => n + l.endOffset, 0)).toBe(total + 1);
    } finally {
      await s.close();
    }
  });

  it('a producer process and a consumer process share a topic', { timeout: 240_000 }, async () => {
    // The fixtures run on plain Node, so they import the compiled adapter (`npm test` builds first).
    const dist = join(root, 'dist/libs/stream/src/kafka/kafka-stream.js');
    expect(existsSync(dist), `${dist} was not built: run npm run build`).toBe(true);
    const topic = `kafka-xproc-${randomBytes(4).toString('hex')}`;
    const group = `kafka-xproc-g-${randomBytes(4).toString('hex')}`;
    const s = await open();
    try {
      await s.ensureTopic(topic, 3);
      const run = (script: string, args: string[]): Promise<string> =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, [join(root, 'tests/fixtures', script), ...args], {
            cwd: root,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('error', reject);
          child.on('exit', (code) =>
            code === 0 ? resolve(out) : reject(new Error(`${script} exited with ${code}: ${err}`)),
          );
        });
      // The consumer starts first and waits; the producer process then writes 300 keyed records.
      const consumed = run('kafka-consumer.mjs', [brokers[0]!, topic, group, '300']);
      // Awaited below; this keeps an early consumer failure from being an unhandled rejection.
      consumed.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
      const produced = JSON.parse(await run('kafka-producer.mjs', [brokers[0]!, topic, '300'])) as {
        acks: { partition: number; offset: number }[];
      };
      const got = JSON.parse(await consumed) as { key: string; partition: number; offset: number }[];
      expect(got).toHaveLength(300);
      for (const r of got) expect(r.partition).toBe(partitionForKey(r.key, 3));
      const ackKeys = new Set(produced.acks.map((a) => `${a.partition}/${a.offset}`));
      expect(new Set(got.map((r) => `${r.partition}/${r.offset}`))).toEqual(ackKeys);
      // The consumer process committed everything before it exited.
      const lag = await s.lag(group, topic);
      expect(lag.reduce((n, l) => n + l.lagRecords, 0)).toBe(0);
    } finally {
      await s.close();
    }
  });
});
