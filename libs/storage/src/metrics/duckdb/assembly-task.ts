import type { Run } from './chunk-head.js';
import { assembleSeries, ChunkRows } from './series-assembly.js';

/**
 * One part of a read for the assembly pool: the chunk rows of consecutive series (slots)
 * in their read order, the bytes packed back to back, and each series' head runs. Only typed
 * arrays and numbers, so it crosses to a worker by copy of the bytes alone.
 */
export interface AssemblyTask {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  /** Rows of series k are `rowFirst[k]` … `rowFirst[k + 1] - 1`. */
  readonly rowFirst: Int32Array;
  readonly minT: Float64Array;
  readonly maxT: Float64Array;
  readonly count: Int32Array;
  readonly bytes: Uint8Array;
  /** Bytes of row r are `bytes[byteFirst[r]]` … `bytes[byteFirst[r + 1] - 1]`. */
  readonly byteFirst: Int32Array;
  readonly headRuns: readonly (readonly Run[] | undefined)[];
}

/**
 * The assembled series of a task, in one buffer: series k has `lengths[k]` samples, its
 * timestamps then its values from `2 × (lengths[0] + … + lengths[k - 1])`.
 */
export interface AssemblyResult {
  readonly id: number;
  readonly samples: Float64Array;
  readonly lengths: Int32Array;
}

export interface AssemblyFailure {
  readonly id: number;
  readonly error: string;
}

/**
 * Assembles every series of `task` with {@link assembleSeries}, the code the main thread
 * runs, so a worker's answer is the same to the bit.
 */
export function runAssembly(task: AssemblyTask): AssemblyResult {
  const rows = new ChunkRows();
  const slots = task.rowFirst.length - 1;
  for (let k = 0; k < slots; k++) {
    for (let r = task.rowFirst[k]!; r < task.rowFirst[k + 1]!; r++) {
      rows.push(k, task.minT[r]!, task.maxT[r]!, task.count[r]!, task.bytes.subarray(task.byteFirst[r]!, task.byteFirst[r + 1]!));
    }
  }
  const order = new Int32Array(rows.length);
  for (let r = 0; r < order.length; r++) order[r] = r;
  const runs: (Run | undefined)[] = new Array<Run | undefined>(slots);
  const lengths = new Int32Array(slots);
  let total = 0;
  for (let k = 0; k < slots; k++) {
    const head = task.headRuns[k];
    const from = task.rowFirst[k]!;
    const to = task.rowFirst[k + 1]!;
    const run = from !== to ? assembleSeries(rows, order, from, to, head, task.start, task.end) : undefined;
    if (run === undefined || run[2] === 0) continue;
    runs[k] = run;
    lengths[k] = run[2];
    total += run[2];
  }
  const samples = new Float64Array(2 * total);
  let at = 0;
  for (let k = 0; k < slots; k++) {
    const run = runs[k];
    if (run === undefined) continue;
    const n = run[2];
    samples.set(n === run[0].length ? run[0] : run[0].subarray(0, n), at);
    samples.set(n === run[1].length ? run[1] : run[1].subarray(0, n), at + n);
    at += 2 * n;
  }
  return { id: task.id, samples, lengths };
}
