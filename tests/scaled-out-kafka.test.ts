import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { getSeries, remoteWrite } from './support/remote-write-client.js';

const root = new URL('..', import.meta.url).pathname;
const kafkaUrl = `kafka://127.0.0.1:${process.env.PHAROS_KAFKA_PORT ?? '19092'}`;

/**
 * The scaled-out layout: the collector and the processor run as separate `pharos`
 * processes sharing a real Kafka broker. A write acknowledged by the collector becomes
 * readable through the processor's query API, and survives the processor being killed.
 */
describe('collector and processor as separate processes over Kafka', () => {
  const dir = tempDir('kafka-roles');
  let collector: PharosProcess | undefined;
  let processor: PharosProcess | undefined;

  beforeAll(async () => {
    await promisify(execFile)('bash', [join(root, 'scripts/engines/kafka.sh'), 'up'], { timeout: 170_000 });
  }, 180_000);
  afterAll(async () => {
    await collector?.stop();
    await processor?.stop();
    removeDir(dir);
  });

  it('refuses a collector without processor on the embedded stream', async () => {
    await expect(startPharos({ dataDir: join(dir, 'x'), args: ['--only', 'collector'] })).rejects.toThrow(/embedded stream lives inside one process/);
  });

  it('moves writes from the collector process to the processor process', async () => {
    // A topic name unique to this run keeps earlier runs' records out (the broker is reused).
    const env = { PHAROS_STREAM: kafkaUrl };
    collector = await startPharos({ dataDir: join(dir, 'collector'), args: ['--only', 'collector'], env });
    processor = await startPharos({ dataDir: join(dir, 'processor'), args: ['--only', 'processor,query-api'], env });

    const metric = `kafka_roles_${Date.now()}`;
    const res = await remoteWrite(collector.url, [
      { labels: { __name__: metric, instance: 'a' }, samples: [{ timestamp: Date.now(), value: 1 }] },
      { labels: { __name__: metric, instance: 'b' }, samples: [{ timestamp: Date.now(), value: 2 }] },
    ]);
    expect(res.status).toBe(204);

    const deadline = Date.now() + 20_000;
    let found: Record<string, string>[] = [];
    while (Date.now() < deadline && found.length < 2) {
      found = await getSeries(processor.url, metric);
      if (found.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found.map((s) => s.instance).sort()).toEqual(['a', 'b']);
    // The collector process has no query API: it is not part of its role.
    expect((await fetch(`${collector.url}/api/v1/series?match[]=${metric}`)).status).toBe(404);

    // kill -9 the processor before it commits, restart it: the write is still there.
    const more = `${metric}_after`;
    expect((await remoteWrite(collector.url, [{ labels: { __name__: more }, samples: [{ timestamp: Date.now(), value: 3 }] }])).status).toBe(204);
    await processor.kill9();
    processor = await startPharos({ dataDir: join(dir, 'processor'), args: ['--only', 'processor,query-api'], env });
    const again = Date.now() + 20_000;
    let after: Record<string, string>[] = [];
    while (Date.now() < again && after.length < 1) {
      after = await getSeries(processor.url, more);
      if (after.length < 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(after).toHaveLength(1);
  });
});
