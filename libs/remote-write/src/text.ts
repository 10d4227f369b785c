/**
 * Name rules and error rendering over label bytes and strings (UTF-8 slicing and validation
 * live in `#pharos/protowire`).
 */

/** `[a-zA-Z_][a-zA-Z0-9_]*` over bytes (Prometheus' legacy label-name rule). */
export function isLegacyLabelName(buf: Uint8Array, start: number, end: number): boolean {
  if (start === end) return false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    const alpha = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
    if (!alpha && !(i > start && c >= 0x30 && c <= 0x39)) return false;
  }
  return true;
}

/** `[a-zA-Z_:][a-zA-Z0-9_:]*` over bytes (Prometheus' legacy metric-name rule). */
export function isLegacyMetricName(buf: Uint8Array, start: number, end: number): boolean {
  if (start === end) return false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    const ok =
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      c === 0x5f ||
      c === 0x3a ||
      (i > start && c >= 0x30 && c <= 0x39);
    if (!ok) return false;
  }
  return true;
}

/** String forms of the same rules, for label sets that are already strings (v2 symbols). */
export function isLegacyLabelNameString(s: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(s);
}

export function isLegacyMetricNameString(s: string): boolean {
  return /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s);
}

/** Renders a label set for an error message, bounded so one bad series cannot flood a log. */
export function describeLabels(pairs: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < pairs.length; i += 2) {
    if (i > 0) out += ', ';
    out += `${pairs[i]}=${JSON.stringify(pairs[i + 1] ?? '')}`;
    if (out.length > 200) return out.slice(0, 200) + '…}';
  }
  return out + '}';
}
