import { parentPort } from 'node:worker_threads';
import { runAssembly, type AssemblyFailure, type AssemblyTask } from './assembly-task.js';

/** Worker thread of {@link SeriesAssemblyPool}: assembles the series of each task it is sent. */
const port = parentPort;
if (port === null) throw new Error('assembly-worker runs as a worker thread');
port.on('message', (task: AssemblyTask) => {
  try {
    const result = runAssembly(task);
    port.postMessage(result, [result.samples.buffer as ArrayBuffer]);
  } catch (err) {
    const failure: AssemblyFailure = { id: task.id, error: err instanceof Error ? err.message : String(err) };
    port.postMessage(failure);
  }
});
