import type { MetricStore } from '#pharos/storage';
import { PromQLEngine } from '../engine/engine.js';
import { parsePromQL } from '../parser/parse.js';
import type { PromQLTestOptions } from './runner.js';

/**
 * Pharos as a promqltest target: the real {@link PromQLEngine} reading the given store, loads
 * appended to that same store, and Pharos' parser for the step-invariance checks. Spread it
 * into {@link runPromQLTestScript}'s options: `runPromQLTestScript(text, { ...pharosPromQLTestTarget(store), name })`.
 *
 * Scripts start at the Unix epoch, so the store must not drop 1970 as past retention.
 */
export function pharosPromQLTestTarget(store: MetricStore): Pick<PromQLTestOptions, 'backend' | 'parse'> {
  const engine = new PromQLEngine({ store, parse: parsePromQL });
  return { backend: { append: (batch) => store.append(batch), engine }, parse: parsePromQL };
}
