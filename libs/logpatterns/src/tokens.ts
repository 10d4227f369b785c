import { WILDCARD } from './masker.js';

/**
 * How two tokens at the same position relate, template token first. A position where the
 * tokens differ joins a line to a pattern only when one side is (partly) a variable.
 */
export const SAME = 0; // equal, or the template already covers the line's token
export const SOFT = 1; // differ, but a variable is involved: the template generalises
export const HARD = 2; // two different constants

/** Whether `text` is an instance of `pattern`, where each `<*>` in the pattern stands for any run of characters. */
export function globMatches(pattern: string, text: string): boolean {
  const first = pattern.indexOf(WILDCARD);
  if (first < 0) return pattern === text;
  if (!text.startsWith(pattern.slice(0, first))) return false;
  let pos = first;
  let at = first;
  for (;;) {
    const litStart = at + WILDCARD.length;
    const next = pattern.indexOf(WILDCARD, litStart);
    if (next < 0) {
      const last = pattern.slice(litStart);
      return text.length - last.length >= pos && text.endsWith(last);
    }
    const lit = pattern.slice(litStart, next);
    const found = text.indexOf(lit, pos);
    if (found < 0) return false;
    pos = found + lit.length;
    at = next;
  }
}

export function compareTokens(t: string, w: string): number {
  if (t === w || t === WILDCARD) return SAME;
  if (w === WILDCARD) return SOFT;
  const tv = t.includes(WILDCARD);
  const wv = w.includes(WILDCARD);
  if (!tv && !wv) return HARD;
  if (tv && globMatches(t, w)) return SAME;
  if (wv && globMatches(w, t)) return SOFT;
  // Two partly variable tokens neither of which covers the other (`illegal......<*>` and
  // `trap...<*>`) differ in their constant parts.
  return HARD;
}

const isStructural = (c: number): boolean =>
  c === 61 /* = */ || c === 58 /* : */ || c === 40 /* ( */ || c === 41 /* ) */ || c === 91 /* [ */ ||
  c === 93 /* ] */ || c === 123 /* { */ || c === 125 /* } */ || c === 60 /* < */ || c === 62 /* > */ ||
  c === 44 /* , */ || c === 59 /* ; */ || c === 39 /* ' */ || c === 34 /* " */;

/**
 * The most specific template token that covers both `t` and `w`. Shared structure around the
 * difference survives (`user=root`, `user=guest` → `user=<*>`; `(root)`, `(news)` → `(<*>)`):
 * the common prefix up to its last key/bracket character and the common suffix from its first.
 */
export function generaliseToken(t: string, w: string): string {
  if (t === w || t === WILDCARD) return t;
  if (t.includes(WILDCARD) && globMatches(t, w)) return t;
  if (w.includes(WILDCARD) && globMatches(w, t)) return w;
  if (t.includes(WILDCARD) || w.includes(WILDCARD)) return WILDCARD;
  const max = Math.min(t.length, w.length);
  let pre = 0;
  while (pre < max && t.charCodeAt(pre) === w.charCodeAt(pre)) pre++;
  while (pre > 0 && !isStructural(t.charCodeAt(pre - 1))) pre--;
  let suf = 0;
  while (suf < max - pre && t.charCodeAt(t.length - 1 - suf) === w.charCodeAt(w.length - 1 - suf)) suf++;
  while (suf > 0 && !isStructural(t.charCodeAt(t.length - suf))) suf--;
  if (pre === 0 && suf === 0) return WILDCARD;
  return t.slice(0, pre) + WILDCARD + t.slice(t.length - suf);
}

/**
 * The one position where two equally long token sequences hold different constants, when they
 * agree (or differ only by variables) everywhere else; −1 otherwise. The first token never counts
 * as such a position: a message's first word names its event far more often than it carries a
 * value (the premise of Drain's prefix tree). `shared` receives the number of constant tokens
 * the two have in common.
 */
export function siblingDifference(a: readonly string[], b: readonly string[], sharedOut: { count: number }): number {
  let at = -1;
  let shared = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) {
      if (!a[i]!.includes(WILDCARD)) shared++;
      continue;
    }
    if (compareTokens(a[i]!, b[i]!) !== HARD || compareTokens(b[i]!, a[i]!) !== HARD) continue;
    if (at >= 0 || i === 0) return -1;
    at = i;
  }
  sharedOut.count = shared;
  return at;
}
