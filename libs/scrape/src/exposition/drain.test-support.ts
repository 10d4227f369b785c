import type { ExpositionParser } from './parser.js';

/** Test helper: every entry of a parser as plain objects. */
interface Entry {
  kind: string;
  series?: string;
  labels?: Record<string, string>;
  value?: number;
  ts?: number;
  name?: string;
  text?: string;
  type?: string;
}

export function drain(p: ExpositionParser): Entry[] {
  const out: Entry[] = [];
  for (let kind = p.next(); kind !== 'eof'; kind = p.next()) {
    if (kind === 'series') {
      const flat = p.labels();
      const labels: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) labels[flat[i]!] = flat[i + 1]!;
      const e: Entry = { kind, series: p.seriesText(), labels, value: p.value };
      if (p.hasTimestamp) e.ts = p.timestampMs;
      const ex = p.exemplar();
      if (ex) (e as unknown as Record<string, unknown>).exemplar = ex;
      out.push(e);
    } else if (kind === 'type') {
      out.push({ kind, name: p.familyName(), type: p.metricType });
    } else {
      out.push({ kind, name: p.familyName(), text: p.metaText() });
    }
  }
  return out;
}

