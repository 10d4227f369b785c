import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenMetricsParser } from './openmetrics.js';
import { ExpositionError, type ExpositionParser } from './parser.js';
import { PromTextParser } from './prom-text.js';

/** Parses to the end; only an ExpositionError may escape. Returns the number of samples. */
function consume(p: ExpositionParser): number {
  let n = 0;
  for (let k = p.next(); k !== 'eof'; k = p.next()) {
    if (k === 'series') {
      p.labels();
      p.exemplar();
      n++;
    } else {
      p.familyName();
      p.metaText();
    }
  }
  return n;
}

function survives(make: () => ExpositionParser): void {
  const start = performance.now();
  try {
    consume(make());
  } catch (err) {
    if (!(err instanceof ExpositionError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
  }
  // A hang shows up as a slow case long before the test times out.
  expect(performance.now() - start).toBeLessThan(1000);
}

/** Characters that matter to the lexers, so random text reaches deep states. */
const exposition = fc.array(
  fc.oneof(
    fc.constantFrom('a', 'b', '_', ':', '0', '1', '.', 'e', '+', '-', '{', '}', '=', '"', ',', ' ', '\t', '\n', '#', '\\', 'HELP ', 'TYPE ', 'UNIT ', '# EOF\n', 'NaN', 'Inf', 'le', 'counter', 'histogram'),
    fc.string({ maxLength: 3 }),
  ),
  { maxLength: 400 },
).map((parts) => parts.join(''));

const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/);
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/).filter((n) => n !== '__name__');
const labelValue = fc.string({ maxLength: 12 }).filter((v) => v !== '');
const sample = fc.record({
  name,
  labels: fc.dictionary(labelName, labelValue, { maxKeys: 4 }),
  value: fc.oneof(fc.double({ noNaN: true }), fc.integer()),
});

function escape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function render(samples: Array<{ name: string; labels: Record<string, string>; value: number }>, om: boolean): string {
  const lines = samples.map((s) => {
    const ls = Object.entries(s.labels).map(([k, v]) => `${k}="${escape(v)}"`).join(',');
    const v = Object.is(s.value, -0) ? '-0' : Number.isFinite(s.value) ? String(s.value) : s.value > 0 ? '+Inf' : '-Inf';
    return `${s.name}${ls ? `{${ls}}` : ''} ${v}`;
  });
  return lines.map((l) => l + '\n').join('') + (om ? '# EOF\n' : '');
}

describe('exposition parsers under fuzzing', () => {
  it('never crash or hang on arbitrary text (text format)', () => {
    fc.assert(fc.property(exposition, (text) => survives(() => new PromTextParser(text))), { numRuns: 3000 });
  });

  it('never crash or hang on arbitrary text (OpenMetrics)', () => {
    fc.assert(fc.property(exposition, (text) => survives(() => new OpenMetricsParser(text))), { numRuns: 3000 });
  });

  it('read back exactly what a well-formed exposition says', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 20 }), fc.boolean(), (samples, om) => {
        const p = om ? new OpenMetricsParser(render(samples, true)) : new PromTextParser(render(samples, false));
        for (const s of samples) {
          expect(p.next()).toBe('series');
          const flat = p.labels();
          const got: Record<string, string> = {};
          for (let i = 0; i < flat.length; i += 2) got[flat[i]!] = flat[i + 1]!;
          expect(got).toEqual({ __name__: s.name, ...s.labels });
          expect(p.value).toBe(s.value);
        }
        expect(p.next()).toBe('eof');
      }),
      { numRuns: 500 },
    );
  });

  it('is linear: a 50,000-line body parses quickly', () => {
    const body = Array.from({ length: 50_000 }, (_, i) => `m{i="${i}",job="x"} ${i}`).join('\n');
    const start = performance.now();
    expect(consume(new PromTextParser(body))).toBe(50_000);
    expect(performance.now() - start).toBeLessThan(500);
  });
});
