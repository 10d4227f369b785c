import { parentPort, workerData } from 'node:worker_threads';
import type { DefinitionReceipt, PreparedBatch } from '#pharos/ingest';
import { ScrapeEngine, type ScrapeEngineSettings } from './scrape-engine.js';

/**
 * Entry of the scrape worker thread (see {@link ScrapeWorkerEngine}): runs the
 * {@link ScrapeEngine} and asks the main thread to produce each prepared write, transferring
 * its buffers. Requests from the main thread are `{ id, op, args }`; answers `{ id, ok, … }`.
 */
const port = parentPort!;
let nextWrite = 1;
const writes = new Map<number, { resolve: (receipt: DefinitionReceipt) => void; reject: (e: Error) => void }>();

const engine = new ScrapeEngine(workerData as ScrapeEngineSettings, {
  write(prepared: PreparedBatch): Promise<DefinitionReceipt> {
    const id = nextWrite++;
    const transfer: ArrayBuffer[] = [prepared.seriesHashes.buffer, prepared.partitionOfSeries.buffer, prepared.samplesPerSeries.buffer] as ArrayBuffer[];
    for (const part of prepared.parts) if (!transfer.includes(part.bytes.buffer as ArrayBuffer)) transfer.push(part.bytes.buffer as ArrayBuffer);
    return new Promise<DefinitionReceipt>((resolve, reject) => {
      writes.set(id, { resolve, reject });
      port.postMessage({ kind: 'write', id, prepared }, transfer);
    });
  },
  report(report) {
    port.postMessage({ kind: 'report', report });
  },
  log(level, message, err) {
    port.postMessage({ kind: 'log', level, message, err });
  },
});

type Op = 'apply' | 'addTargets' | 'removeTargets' | 'targets' | 'stop';

type Written = { kind: 'written'; id: number; ok: true; receipt: DefinitionReceipt } | { kind: 'written'; id: number; ok: false; error: string };

port.on('message', (msg: { kind: 'call'; id: number; op: Op; args: unknown[] } | Written) => {
  if (msg.kind === 'written') {
    const w = writes.get(msg.id);
    writes.delete(msg.id);
    if (msg.ok) w?.resolve(msg.receipt);
    else w?.reject(new Error(msg.error));
    return;
  }
  const call = engine[msg.op] as (...args: unknown[]) => Promise<unknown>;
  call.apply(engine, msg.args).then(
    (value) => port.postMessage({ kind: 'answer', id: msg.id, ok: true, value }),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ kind: 'answer', id: msg.id, ok: false, error: { name: e.name, message: e.message } });
    },
  );
});
