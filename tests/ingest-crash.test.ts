import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBMetricStore } from '#pharos/storage';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { remoteWrite } from './support/remote-write-client.js';

/**
 * kill -9 during sustained ingest: every sample whose write was acknowledged (204) must be in
 * the store after a restart, and none twice.
 */
describe('crash safety of the write path', () => {
  const dir = tempDir('crash');
  let pharos: PharosProcess | undefined;
  afterAll(async () => {
    await pharos?.kill9();
    removeDir(dir);
  });

  it('keeps every acknowledged sample across kill -9, exactly once', async () => {
    const dataDir = join(dir, 'data');
    const acked = new Map<string, number[]>(); // series "sender/slot" → acknowledged timestamps
    const base = Date.now() - 60_000;
    let stop = false;
    let sent = 0;

    for (let round = 0; round < 2; round++) {
      pharos = await startPharos({ dataDir });
      const url = pharos.url;
      stop = false;
      const senders = Array.from({ length: 6 }, async (_, sender) => {
        for (let seq = 0; !stop; seq++) {
          const ts = base + round * 1_000_000 + seq;
          const body = Array.from({ length: 20 }, (_, slot) => ({
            labels: { __name__: 'crash_test', sender: String(sender), slot: String(slot) },
            samples: [{ timestamp: ts, value: seq * 20 + slot }],
          }));
          sent++;
          try {
            const res = await remoteWrite(url, body);
            if (res.status === 204) {
              for (let slot = 0; slot < 20; slot++) {
                const key = `${sender}/${slot}`;
                if (!acked.has(key)) acked.set(key, []);
                acked.get(key)!.push(ts);
              }
            }
          } catch {
            return; // connection refused or reset: the process is gone
          }
        }
      });
      await new Promise((r) => setTimeout(r, 2500));
      await pharos.kill9();
      stop = true;
      await Promise.all(senders);
    }
    expect(sent).toBeGreaterThan(100);

    // Restart: readiness waits for the processor to replay the stream backlog.
    pharos = await startPharos({ dataDir });
    expect(await pharos.stop()).toBe(0);
    pharos = undefined;

    const store = await DuckDBMetricStore.open({ dir: join(dataDir, 'metrics') });
    try {
      let checked = 0;
      const seen = new Set<string>();
      for await (const s of store.select({ tenant: 'default', matchers: [{ name: '__name__', type: '=', value: 'crash_test' }], start: 0, end: Date.now() + 3_600_000 })) {
        const sender = s.labels[s.labels.indexOf('sender') + 1];
        const slot = s.labels[s.labels.indexOf('slot') + 1];
        const key = `${sender}/${slot}`;
        seen.add(key);
        const stored = Array.from(s.timestamps);
        for (let i = 1; i < stored.length; i++) expect(stored[i]!).toBeGreaterThan(stored[i - 1]!); // none twice
        const storedSet = new Set(stored);
        for (const ts of acked.get(key) ?? []) {
          expect(storedSet.has(ts), `acknowledged sample ${key}@${ts} missing`).toBe(true);
          checked++;
        }
      }
      expect(seen.size).toBe(acked.size);
      expect(checked).toBe([...acked.values()].reduce((n, a) => n + a.length, 0));
      expect(checked).toBeGreaterThan(1000);
    } finally {
      await store.close();
    }
  });
});
