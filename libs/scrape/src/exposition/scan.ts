/** Character classes of the exposition lexers (Prometheus' promlex.l / openmetricslex.l). */

export const NL = 10;
export const SPACE = 32;
export const TAB = 9;
export const QUOTE = 34;
export const HASH = 35;
export const BRACE_OPEN = 123;
export const BRACE_CLOSE = 125;
export const COMMA = 44;
export const EQUAL = 61;
export const BACKSLASH = 92;

/** `[a-zA-Z_:]` */
export function isMetricNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}

/** `[a-zA-Z_:0-9]` */
export function isMetricNameChar(c: number): boolean {
  return isMetricNameStart(c) || (c >= 48 && c <= 57);
}

/** `[a-zA-Z_]` */
export function isLabelNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** `[a-zA-Z_0-9]` */
export function isLabelNameChar(c: number): boolean {
  return isLabelNameStart(c) || (c >= 48 && c <= 57);
}

/**
 * End (exclusive, after the closing quote) of a quoted string starting at `start` (the
 * opening quote), honouring backslash escapes; -1 when unterminated, or when a newline comes
 * first and `allowNewline` is false.
 */
export function quotedEnd(s: string, start: number, allowNewline: boolean): number {
  const n = s.length;
  let i = start + 1;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH) {
      if (i + 1 >= n || s.charCodeAt(i + 1) === NL) return -1;
      i += 2;
    } else if (c === QUOTE) {
      return i + 1;
    } else if (c === NL && !allowNewline) {
      return -1;
    } else {
      i++;
    }
  }
  return -1;
}

/** Index of the next '\n' at or after `i`, or the string length. */
export function lineEnd(s: string, i: number): number {
  const j = s.indexOf('\n', i);
  return j < 0 ? s.length : j;
}

/** `"text"` quoting for error messages, cut to a readable length. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 200 ? text.slice(0, 200) + '…' : text);
}
