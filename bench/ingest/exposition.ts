/**
 * Just enough of the Prometheus text exposition format to read a target's own counters:
 * the sum of every sample of one metric name, optionally only those carrying given labels.
 */
export type Exposition = ReadonlyMap<string, readonly { labels: string; value: number }[]>;

export function parseExposition(text: string): Exposition {
  const out = new Map<string, { labels: string; value: number }[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels = '';
    let rest: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      const close = line.lastIndexOf('}');
      name = line.slice(0, brace);
      labels = line.slice(brace + 1, close);
      rest = line.slice(close + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = Number(rest.split(' ')[0]);
    if (!Number.isFinite(value)) continue;
    const list = out.get(name);
    if (list === undefined) out.set(name, [{ labels, value }]);
    else list.push({ labels, value });
  }
  return out;
}

/** Sum of `name` over the samples whose label text contains every `name="value"` of `match`; NaN if absent. */
export function sumOf(exp: Exposition, name: string, match: Readonly<Record<string, string>> = {}): number {
  const list = exp.get(name);
  if (list === undefined) return Number.NaN;
  const wanted = Object.entries(match).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  let seen = false;
  for (const s of list) {
    if (wanted.every((w) => s.labels.includes(w))) {
      sum += s.value;
      seen = true;
    }
  }
  return seen ? sum : Number.NaN;
}
