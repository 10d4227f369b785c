import {
  UNRESOLVED_LABELS,
  decodeMetricBatch,
  earliestTimestamp,
  seriesRefHex,
  type Labels,
  type MetricBatch,
  type SeriesRefResolver,
} from '#pharos/metric-model';
import type { AppendResult, MetricStore, RecordAppender } from '#pharos/storage';
import { recordBytes } from './record-bytes.js';
import { withoutUnresolved } from './unresolved.js';

/**
 * Longest stretch of appending before the loop lets the thread's other work in. On the store
 * thread, reads arrive as messages: without a pause they would wait for a whole stream batch
 * of appends (tens of milliseconds under heavy ingest), which a dashboard refresh feels.
 */
const APPEND_SLICE_MS = 2;

/**
 * Decodes stream records (the collector's encoded metric batches) and appends them to
 * `store` in order, resolving series refs through the store (ADR 0010). A record may name by
 * ref a series an earlier record of the same call defined: such definitions are remembered
 * for the call, since the store learns of them only when that record is appended.
 *
 * This is the processor's record-to-append step, written so that it can run where the store
 * runs (the store thread, ADR 0018) as well as on the processor's own thread.
 */
export const appendRecords: RecordAppender = async function appendRecords(store: MetricStore, records: readonly Uint8Array[]) {
  const storeRefs: SeriesRefResolver | undefined =
    store.capabilities.seriesRefs === true && store.resolveSeriesRef !== undefined ? (t, refs, at) => store.resolveSeriesRef!(t, refs, at) : undefined;
  let defined: Map<string, Labels> | undefined;
  const resolve: SeriesRefResolver = (tenant, refs, at) => storeRefs?.(tenant, refs, at) ?? defined?.get(refKey(tenant, refs, at));
  const onDefinition = (tenant: string, refs: Uint32Array, at: number, labels: Labels): void => {
    (defined ??= new Map()).set(refKey(tenant, refs, at), labels);
  };
  const tenants: Record<string, { stored: number; tooOld: number; earliest: number }> = {};
  const undecodable: { index: number; message: string }[] = [];
  const unresolved: { index: number; tenant: string; droppedSamples: number; ref: string | undefined }[] = [];
  let sliceStart = performance.now();
  for (let index = 0; index < records.length; index++) {
    if (index > 0 && performance.now() - sliceStart >= APPEND_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    let decoded: MetricBatch;
    try {
      const { bytes, hasRefs } = recordBytes(records[index]!);
      decoded = decodeMetricBatch(bytes, hasRefs && storeRefs !== undefined ? { resolve, onDefinition, interner: null } : { resolve, onDefinition });
    } catch (err) {
      undecodable.push({ index, message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    if (decoded.series.includes(UNRESOLVED_LABELS)) {
      const { kept, droppedSamples, firstRef } = withoutUnresolved(decoded);
      unresolved.push({ index, tenant: decoded.tenant, droppedSamples, ref: firstRef === undefined ? undefined : seriesRefHex(decoded.seriesRefs!, firstRef) });
      decoded = kept;
    }
    const result: AppendResult = await store.append(decoded);
    const t = (tenants[decoded.tenant] ??= { stored: 0, tooOld: 0, earliest: Infinity });
    t.stored += result.samplesStored + result.histogramsStored;
    t.tooOld += result.samplesTooOld;
    t.earliest = Math.min(t.earliest, earliestTimestamp(decoded));
  }
  return { tenants, undecodable, unresolved };
};


/** Key of a series ref of a tenant, for definitions remembered within one delivery. */
export function refKey(tenant: string, refs: Uint32Array, at: number): string {
  return `${tenant}\u0000${refs[at]},${refs[at + 1]},${refs[at + 2]},${refs[at + 3]}`;
}
