import type { Labels } from '#pharos/metric-model';
import { sortPairs } from './label-scratch.js';
import type { ExemplarScratch } from './point.js';
import { EXEMPLAR_MAX_RUNES, EXEMPLAR_SPAN_ID, EXEMPLAR_TRACE_ID } from './semconv.js';

/**
 * An exemplar's labels as Prometheus' OTLP translation writes them: `trace_id` and `span_id`
 * in hex from the trace context, the filtered attributes unless the whole set would exceed
 * OpenMetrics' 128 runes; sorted by name. A string is the problem that refuses it.
 */
export function exemplarLabels(e: ExemplarScratch): Labels | string {
  if (e.problem !== undefined) return e.problem;
  if (!e.hasValue) return 'exemplar has no value';
  const out: string[] = [];
  let runes = 0;
  if (e.traceId !== '') {
    out.push(EXEMPLAR_TRACE_ID, e.traceId);
    runes += EXEMPLAR_TRACE_ID.length + e.traceId.length;
  }
  if (e.spanId !== '') {
    out.push(EXEMPLAR_SPAN_ID, e.spanId);
    runes += EXEMPLAR_SPAN_ID.length + e.spanId.length;
  }
  const a = e.attrs;
  let attrRunes = 0;
  for (let i = 0; i < a.length; i += 2) {
    if (overriddenByTraceContext(a[i]!, e)) continue;
    attrRunes += runeCount(a[i]!) + runeCount(a[i + 1]!);
  }
  // Attributes only when the whole set stays within OpenMetrics' 128-rune limit.
  if (runes + attrRunes <= EXEMPLAR_MAX_RUNES) {
    for (let i = 0; i < a.length; i += 2) {
      if (overriddenByTraceContext(a[i]!, e) || a[i + 1] === '') continue;
      out.push(a[i]!, a[i + 1]!);
    }
  }
  sortPairs(out);
  return out;
}

function overriddenByTraceContext(key: string, e: ExemplarScratch): boolean {
  return (key === EXEMPLAR_TRACE_ID && e.traceId !== '') || (key === EXEMPLAR_SPAN_ID && e.spanId !== '');
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0) n++;
    else {
      const prev = s.charCodeAt(i - 1);
      if (prev < 0xd800 || prev > 0xdbff) n++;
    }
  }
  return n;
}
