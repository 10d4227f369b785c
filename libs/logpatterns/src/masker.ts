/**
 * Generic masking of variable parts of a log message, before template mining. It knows no
 * system: it recognises the shapes variables take in any log (numbers and numbers with units,
 * IPv4/IPv6 addresses with ports, host:port, MAC addresses, hex ids, UUIDs, paths, URLs,
 * identifiers carrying long digit runs such as `blk_-123…` or `attempt_1445…_000001`) and
 * replaces each with `<*>`, keeping the punctuation around it (`[<*>]`, `uid=<*>`, `node-<*>`).
 *
 * Tokens that merely contain a digit (`jk2_init()`, `tty2`, `alt0`) are left alone: they are
 * usually part of the message's constant text. The miner still generalises them to `<*>` when
 * they vary within a pattern.
 */
export const WILDCARD = '<*>';

const TRAILING = /[.,;:!?]+$/;

// Whole-token shapes, tested on the token stripped of surrounding brackets and trailing
// punctuation. Each is anchored and linear (no nested quantifiers), so no catastrophic backtracking.
const URL = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const IPV4_PORT = /^\/?\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?$/;
const IPV6 = /^(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}$/i;
const MAC = /^(?:[0-9a-f]{2}[:-]){5,}[0-9a-f]{2}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// host:port or host/ip:port where the host has a dot, a dash or a digit in it.
const HOST_PORT = /^[\w.-]*[\d.-][\w.-]*(?:\/[\w.:-]+)?:\d{1,5}$/;
// A path: starts with / (or ~/, ./, X:\) and has at least one word character after it.
const PATH = /^(?:~?\/|\.{1,2}\/|[A-Za-z]:\\)[\w.~$%+@-]/;

/** Characters that split a token into segments that are masked separately. */
function isDelimiter(c: number): boolean {
  return (
    c === 61 /* = */ ||
    c === 44 /* , */ ||
    c === 59 /* ; */ ||
    c === 40 /* ( */ ||
    c === 41 /* ) */ ||
    c === 91 /* [ */ ||
    c === 93 /* ] */ ||
    c === 123 /* { */ ||
    c === 125 /* } */ ||
    c === 60 /* < */ ||
    c === 62 /* > */ ||
    c === 34 /* " */ ||
    c === 39 /* ' */ ||
    c === 58 /* : */ ||
    c === 64 /* @ */ ||
    c === 35 /* # */ ||
    c === 124 /* | */
  );
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHexLetter = (c: number): boolean => (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

/**
 * Decides whether one segment (a run between delimiters) is a variable, and returns its masked
 * form: the segment itself, `<*>`, or a kept alphabetic prefix plus `<*>` (`node-<*>`, `core.<*>`).
 */
function maskSegment(seg: string): string {
  const n = seg.length;
  if (n === 0) return seg;
  let digits = 0;
  let longestRun = 0;
  let run = 0;
  let hexOnly = true;
  for (let i = 0; i < n; i++) {
    const c = seg.charCodeAt(i);
    if (isDigit(c)) {
      digits++;
      run++;
      if (run > longestRun) longestRun = run;
    } else {
      run = 0;
      if (!isHexLetter(c)) hexOnly = false;
    }
  }
  if (digits === 0) return seg;
  const c0 = seg.charCodeAt(0);
  // Numbers, numbers with units or suffixes (`65020ms`, `0x1f`, `2.6.5-1.358`), signed numbers.
  if (isDigit(c0)) return WILDCARD;
  if ((c0 === 45 || c0 === 43 || c0 === 46) && n > 1 && isDigit(seg.charCodeAt(1))) return WILDCARD;
  // Hex ids written without 0x (`fc00ab12`): hex digits only, long enough not to be a word.
  if (hexOnly && n >= 8) return WILDCARD;
  // Identifiers joining a long digit run with underscores (`blk_-123…`, `attempt_1445…_000001`).
  if (longestRun >= 3 && seg.includes('_')) return WILDCARD;
  // Free-standing numbers inside a word (`node-246`, `core.2275`, `instruction......0`): mask the
  // number, keep the word; a chain of such numbers is one variable (`BP-<*>`).
  STANDALONE_NUMBER.lastIndex = 0;
  if (STANDALONE_NUMBER.test(seg)) {
    STANDALONE_NUMBER.lastIndex = 0;
    return seg.replace(STANDALONE_NUMBER, WILDCARD).replace(WILDCARD_CHAIN, WILDCARD);
  }
  // Other identifiers carrying a long digit run (`bglio559`).
  if (longestRun >= 3) return WILDCARD;
  return seg;
}

const STANDALONE_NUMBER = /(?<![A-Za-z0-9_])[-+]?\d+(?:\.\d+)*(?![A-Za-z0-9_])/g;
const WILDCARD_CHAIN = /<\*>(?:[-.:_]<\*>)+/g;


/** Masks one whitespace-free token. */
export function maskToken(token: string): string {
  // Fast path: no digit, no slash → nothing to mask.
  let interesting = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (isDigit(c) || c === 47 /* / */ || c === 92 /* \ */) {
      interesting = true;
      break;
    }
  }
  if (!interesting) return token;

  // Whole-token shapes: strip one layer of enclosing brackets/quotes and trailing punctuation.
  let start = 0;
  let end = token.length;
  while (start < end && '([{<"\''.includes(token[start]!)) start++;
  const trail = TRAILING.exec(token.slice(start));
  if (trail) end -= trail[0].length;
  while (end > start && ')]}>"\''.includes(token[end - 1]!)) end--;
  const core = token.slice(start, end);
  if (
    core.length > 0 &&
    (URL.test(core) || IPV4_PORT.test(core) || HOST_PORT.test(core) || MAC.test(core) || UUID.test(core) ||
      (core.length > 1 && PATH.test(core)) || (IPV6.test(core) && /\d/.test(core) && core.includes('::')))
  ) {
    return token.slice(0, start) + WILDCARD + token.slice(end);
  }

  // Otherwise mask segment by segment.
  let out = '';
  let segStart = 0;
  for (let i = 0; i <= token.length; i++) {
    const c = i < token.length ? token.charCodeAt(i) : -1;
    if (c === -1 || isDelimiter(c)) {
      const seg = token.slice(segStart, i);
      out += maskSegmentOrPath(seg);
      if (c !== -1) out += token[i];
      segStart = i + 1;
    }
  }
  return out;
}

function maskSegmentOrPath(seg: string): string {
  if (seg.length > 1 && (seg.charCodeAt(0) === 47 || seg.charCodeAt(0) === 92) && PATH.test(seg)) return WILDCARD;
  // A trailing full stop ends a sentence, not a number: `8030.` → `<*>.`
  const t = TRAILING.exec(seg);
  if (t && t[0].length < seg.length) return maskSegment(seg.slice(0, seg.length - t[0].length)) + t[0];
  return maskSegment(seg);
}

// Dates written with words and spaces (`Fri Jun 17 07:07:00 2005`, `Jun 14 15:16:01`) and ISO-like
// date-times span several tokens; they are one variable, masked before splitting.
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*';
const CLOCK = '\\d{1,2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?';
const DATES = new RegExp(
  `\\b(?:(?:${DAY} +)?${MONTH} +\\d{1,2},? +(?:\\d{4} +)?${CLOCK}(?: +[A-Z]{3,4})?(?: +\\d{4})?` +
    `|\\d{4}[-/]\\d{2}[-/]\\d{2}[ T]${CLOCK}(?:Z|[+-]\\d{2}:?\\d{2})?)(?![\\w:])`,
  'g',
);

/** Masks multi-token dates and times as one `<*>`. */
export function maskDates(message: string): string {
  // Cheap pre-check: every date form above has a clock `d:dd`.
  const colon = message.indexOf(':');
  if (colon < 0) return message;
  DATES.lastIndex = 0;
  return message.replace(DATES, WILDCARD);
}

/**
 * Splits a message into whitespace-separated tokens, masking each. Runs of whitespace count as
 * one separator; templates are rebuilt with single spaces (as the Loghub ground truth writes them).
 */
export function maskTokens(text: string): string[] {
  const message = maskDates(text);
  const out: string[] = [];
  const n = message.length;
  let i = 0;
  while (i < n) {
    while (i < n && message.charCodeAt(i) <= 32) i++;
    if (i >= n) break;
    let j = i + 1;
    while (j < n && message.charCodeAt(j) > 32) j++;
    const raw = message.slice(i, j);
    const masked = maskToken(raw);
    // A size unit after a number belongs to the number: `size 12.5 KB,` is `size <*>,`.
    const unit = out.length > 0 && out[out.length - 1] === WILDCARD ? SIZE_UNIT.exec(masked) : null;
    if (unit) out[out.length - 1] = WILDCARD + (unit[1] ?? '');
    else out.push(masked);
    i = j;
  }
  return collapseDigitRuns(out);
}

const SIZE_UNIT = /^(?:[KMGTP]i?B|B|[kmgt]b)([.,;:)\]]*)$/;

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/**
 * A run of three or more adjacent tokens that all carry digits is a list of values
 * (`an14 an15 an16 …`, `( 3 4 5 10 )`): it becomes one `<*>`, so lists of any length agree.
 */
function collapseDigitRuns(tokens: string[]): string[] {
  const n = tokens.length;
  let i = 0;
  let out: string[] | undefined;
  while (i < n) {
    if (!(tokens[i] === WILDCARD || (hasDigit(tokens[i]!) && !tokens[i]!.includes(WILDCARD)))) {
      out?.push(tokens[i]!);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && (tokens[j] === WILDCARD || (hasDigit(tokens[j]!) && !tokens[j]!.includes(WILDCARD)))) j++;
    if (j - i >= 3 || (j - i >= 2 && tokens[i] === WILDCARD && tokens[j - 1] === WILDCARD)) {
      out ??= tokens.slice(0, i);
      out.push(WILDCARD);
    } else if (out) for (let k = i; k < j; k++) out.push(tokens[k]!);
    i = j;
  }
  return out ?? tokens;
}
