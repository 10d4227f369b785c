import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { OrderRule } from './compare.js';
import type { Dataset } from './dataset.js';
import type { Evaluation } from './query-client.js';

export const CORPUS_DIR = new URL('./corpus/', import.meta.url).pathname;

/**
 * Tags in front of a corpus line, `[tag,tag] query`:
 * - `ordered`: an instant result's order is part of the answer (sort, sort_desc: by value);
 * - `ordered-labels`: order by labels (sort_by_label*);
 * - `v3-data`: reads series Prometheus 2.42 cannot ingest, so it is compared with 3.x only;
 * - `aligned`: also evaluated at times that fall exactly on samples (window boundaries).
 */
export const CORPUS_TAGS = ['ordered', 'ordered-labels', 'v3-data', 'aligned'] as const;
export type CorpusTag = (typeof CORPUS_TAGS)[number];

export interface CorpusQuery {
  /** The query as written (with `{{t:…}}` placeholders): its identity in the lists. */
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly tags: ReadonlySet<CorpusTag>;
}

/** Reads every `*.txt` of the corpus; fails on unknown tags and on duplicate queries. */
export function loadCorpus(dir = CORPUS_DIR): CorpusQuery[] {
  const out: CorpusQuery[] = [];
  const seen = new Map<string, string>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((raw, k) => {
      const text = raw.trim();
      if (text === '' || text.startsWith('#')) return;
      const where = `${name}:${k + 1}`;
      const m = /^\[([a-z0-9,-]+)\]\s+(.+)$/.exec(text);
      const tags = new Set<CorpusTag>();
      let query = text;
      if (m) {
        for (const tag of m[1]!.split(',')) {
          if (!(CORPUS_TAGS as readonly string[]).includes(tag)) throw new Error(`${where}: unknown tag "${tag}" (known: ${CORPUS_TAGS.join(', ')})`);
          tags.add(tag as CorpusTag);
        }
        query = m[2]!;
      }
      const dup = seen.get(query);
      if (dup) throw new Error(`${where}: duplicate query (first at ${dup}): ${query}`);
      seen.set(query, where);
      out.push({ id: query, file: basename(name, '.txt'), line: k + 1, tags });
    });
  }
  return out;
}

/** The query text to send: `{{t:S}}` becomes the absolute Unix time `S` seconds after the data starts. */
export function expandQuery(query: CorpusQuery, dataset: Dataset): string {
  return query.id.replace(/\{\{t:(\d+(?:\.\d+)?)\}\}/g, (_, s: string) => {
    const ms = dataset.startMs + Math.round(Number(s) * 1000);
    return (ms / 1000).toFixed(3);
  });
}

export function orderRule(query: CorpusQuery, evaluation: Evaluation): OrderRule {
  // Order is only defined for instant queries; a range query's matrix is sorted by labels anyway.
  if (evaluation.kind !== 'instant') return 'none';
  if (query.tags.has('ordered')) return 'by-value';
  if (query.tags.has('ordered-labels')) return 'by-labels';
  return 'none';
}

export interface NamedEvaluation {
  /** Short readable name, relative to the data start, e.g. `instant@+1h07m13.457s`. */
  readonly name: string;
  readonly evaluation: Evaluation;
}

const M = 60_000;
const H = 60 * M;

/**
 * Where each query is evaluated. Times are off the 15 s scrape grid and starts are not
 * multiples of the steps, so results depend on lookback and window edges the way dashboards
 * see them. No evaluation time is a whole second (subquery steps are whole seconds) and sample
 * times end in 5 ms, so no sample or subquery point sits exactly on a window boundary except
 * for `aligned` queries, which add whole-minute times and read the `aligned_*` series. The
 * data are 4 h long; an outage of `api-2` is at +2h10m..+2h40m.
 */
export function evaluationsFor(query: CorpusQuery, dataset: Dataset): NamedEvaluation[] {
  const s = dataset.startMs;
  const e = dataset.endMs;
  const list: NamedEvaluation[] = [
    instant(s, 1 * H + 7 * M + 13_457),
    // Inside the outage: staleness markers hide api-2's series.
    instant(s, 2 * H + 21 * M + 3_500),
    instant(s, e - s - 1_877),
    // After the end: some series still within the 5 m lookback, none of the stale ones.
    instant(s, e - s + 4 * M + 1_250),
    range(s, 3 * M + 21_730, e - s + 6 * M + 3_730, 83_000),
    range(s, 2 * H + 5 * M + 4_250, 2 * H + 50 * M + 4_250, 7_500),
  ];
  if (query.tags.has('aligned')) {
    list.push(instant(s, 90 * M), instant(s, 2 * H), range(s, 60 * M, 70 * M, 60_000));
  }
  return list;
}

/** A time as an offset from the data start, e.g. `+2h21m3.5s`: readable in failure reports. */
export function relativeTime(dataset: Dataset, ms: number): string {
  const d = ms - dataset.startMs;
  return d < 0 ? `-${rel(-d).slice(1)}` : rel(d);
}

function rel(ms: number): string {
  const h = Math.floor(ms / H);
  const m = Math.floor((ms % H) / M);
  const sec = (ms % M) / 1000;
  return `+${h}h${String(m).padStart(2, '0')}m${sec}s`;
}

function instant(start: number, offset: number): NamedEvaluation {
  return { name: `instant@${rel(offset)}`, evaluation: { kind: 'instant', timeMs: start + offset } };
}

function range(start: number, from: number, to: number, step: number): NamedEvaluation {
  return { name: `range ${rel(from)}..${rel(to)} step ${step / 1000}s`, evaluation: { kind: 'range', startMs: start + from, endMs: start + to, stepMs: step } };
}
