/**
 * Go RE2 regular expressions (`regexp/syntax`) on JavaScript's engine, for `label_replace`.
 * The pattern is translated to an equivalent JS pattern (Unicode mode, dot-all, as Prometheus
 * compiles `^(?s:<regex>)$`); RE2 syntax JS lacks is rewritten, and Perl features RE2 rejects
 * (backreferences, lookaround) are rejected here too, so a query valid in one is valid in the
 * other. Capture groups are renamed `g<n>` so that RE2 names JS cannot take (`1a`) still work.
 */

export class RE2SyntaxError extends Error {
  override readonly name = 'RE2SyntaxError';
}

export interface CompiledRE2 {
  /** Fully anchored, dot-all, Unicode-mode expression. */
  readonly regex: RegExp;
  /** RE2 names of the capture groups by group number (index 0 unused; '' for unnamed). */
  readonly groupNames: readonly string[];
}

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Characters that must stay escaped in a Unicode-mode JS pattern. */
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/-'.split(''));

/** RE2's `\s`: ASCII whitespace only (JS's `\s` includes Unicode spaces). */
const RE2_SPACE = '\\t\\n\\f\\r ';

const MAX_REPEAT = 1000;

/** Compiles an RE2 pattern anchored at both ends, as Prometheus' `label_replace` does. */
export function compileAnchoredRE2(pattern: string): CompiledRE2 {
  const t = new Translator(pattern);
  const source = t.translate();
  try {
    return { regex: new RegExp(`^(?:${source})$`, 'su'), groupNames: t.groupNames };
  } catch (e) {
    throw new RE2SyntaxError(e instanceof Error ? e.message : String(e));
  }
}

class Translator {
  private i = 0;
  readonly groupNames: string[] = [''];
  /** Per open group: how many `(?flags:` we opened for a flag-only group `(?i)` inside it, and whether ungreedy (U) is on. */
  private readonly frames: { extraCloses: number; ungreedy: boolean }[] = [{ extraCloses: 0, ungreedy: false }];

  constructor(private readonly p: string) {}

  translate(): string {
    let out = '';
    while (this.i < this.p.length) out += this.atom();
    if (this.frames.length > 1) throw new RE2SyntaxError('missing closing )');
    return out + ')'.repeat(this.frames[0]!.extraCloses);
  }

  private get frame(): { extraCloses: number; ungreedy: boolean } {
    return this.frames[this.frames.length - 1]!;
  }

  private atom(): string {
    const c = this.p[this.i]!;
    switch (c) {
      case '\\':
        return this.escape(false);
      case '[':
        return this.charClass();
      case '(':
        return this.openGroup();
      case ')': {
        this.i++;
        if (this.frames.length === 1) throw new RE2SyntaxError('unexpected )');
        const f = this.frames.pop()!;
        return ')'.repeat(f.extraCloses) + ')';
      }
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
        if (!m) {
          this.i++;
          return '\\{';
        }
        const min = Number(m[1]);
        const max = m[3] === undefined || m[3] === '' ? min : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT || (m[3] !== undefined && m[3] !== '' && max < min)) {
          throw new RE2SyntaxError(`invalid repeat count: ${m[0]}`);
        }
        this.i += m[0].length;
        return m[0] + this.greediness();
      }
      case '*':
      case '+':
      case '?':
        this.i++;
        return c + this.greediness();
      case '}':
        this.i++;
        return '\\}';
      case '/':
        this.i++;
        return '\\/';
      default: {
        const cp = this.p.codePointAt(this.i)!;
        const ch = String.fromCodePoint(cp);
        this.i += ch.length;
        return ch;
      }
    }
  }

  /** After a quantifier: a `?` makes it lazy; under the U flag laziness is inverted. */
  private greediness(): string {
    let lazy = false;
    if (this.p[this.i] === '?') {
      lazy = true;
      this.i++;
    }
    if (this.frame.ungreedy) lazy = !lazy;
    return lazy ? '?' : '';
  }

  private openGroup(): string {
    this.i++;
    if (this.p[this.i] !== '?') {
      this.groupNames.push('');
      this.frames.push({ extraCloses: 0, ungreedy: this.frame.ungreedy });
      return `(?<g${this.groupNames.length - 1}>`;
    }
    const rest = this.p.slice(this.i);
    const named = /^\?P?<([^>]*)>/.exec(rest);
    if (named) {
      const name = named[1]!;
      if (!/^[\p{L}\p{N}_]+$/u.test(name)) throw new RE2SyntaxError(`invalid named capture: ${name}`);
      if (this.groupNames.includes(name)) throw new RE2SyntaxError(`duplicate capture group name: ${name}`);
      this.i += named[0].length;
      this.groupNames.push(name);
      this.frames.push({ extraCloses: 0, ungreedy: this.frame.ungreedy });
      return `(?<g${this.groupNames.length - 1}>`;
    }
    if (/^\?(=|!|<=|<!)/.test(rest)) throw new RE2SyntaxError('invalid or unsupported Perl syntax: lookaround');
    const flags = /^\?([imsU]*)(?:-([imsU]*))?(:|\))/.exec(rest);
    if (!flags) throw new RE2SyntaxError(`invalid or unsupported Perl syntax: (${rest.slice(0, 3)}`);
    this.i += flags[0].length;
    const on = flags[1]!;
    const off = flags[2] ?? '';
    if (flags[2] !== undefined && off === '') throw new RE2SyntaxError('missing flags after -');
    const jsOn = on.replace('U', '');
    const jsOff = off.replace('U', '');
    const modifier = jsOn || jsOff ? `(?${jsOn}${jsOff ? `-${jsOff}` : ''}:` : '(?:';
    let ungreedy = this.frame.ungreedy;
    if (on.includes('U')) ungreedy = true;
    if (off.includes('U')) ungreedy = false;
    if (flags[3] === ':') {
      this.frames.push({ extraCloses: 0, ungreedy });
      return modifier;
    }
    // `(?i)`: the flags hold to the end of the enclosing group; close our modifier group there.
    this.frame.extraCloses++;
    this.frame.ungreedy = ungreedy;
    return modifier;
  }

  /** An escape at `this.i` (a backslash), inside a class or not. */
  private escape(inClass: boolean): string {
    const c = this.p[this.i + 1];
    if (c === undefined) throw new RE2SyntaxError('trailing backslash at end of expression');
    this.i += 2;
    switch (c) {
      case 'A':
        if (inClass) break;
        return '^';
      case 'z':
        if (inClass) break;
        return '$';
      case 'Q': {
        if (inClass) break;
        const end = this.p.indexOf('\\E', this.i);
        const lit = end < 0 ? this.p.slice(this.i) : this.p.slice(this.i, end);
        this.i = end < 0 ? this.p.length : end + 2;
        return [...lit].map((ch) => literal(ch)).join('');
      }
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return `\\${c}`;
      case 'b':
      case 'B':
        if (inClass) break;
        return `\\${c}`;
      case 's':
        return inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      case 'S':
        if (inClass) throw new RE2SyntaxError('\\S inside a character class is not supported');
        return `[^${RE2_SPACE}]`;
      case 'p':
      case 'P':
        return this.unicodeClass(c === 'P');
      case 'a':
        return '\\x07';
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
        return `\\${c}`;
      case 'x':
        return this.hexEscape(inClass);
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        // Octal (`\0`, `\012`, `\12`); a lone non-zero digit would be a backreference.
        const m = /^[0-7]{0,2}/.exec(this.p.slice(this.i))![0];
        if (c !== '0' && m === '') throw new RE2SyntaxError(`invalid escape sequence: \\${c}`);
        this.i += m.length;
        return literal(String.fromCharCode(parseInt(c + m, 8)), inClass);
      }
      default:
        if (/[\p{L}\p{N}]/u.test(c)) throw new RE2SyntaxError(`invalid escape sequence: \\${c}`);
        return literal(c, inClass);
    }
    throw new RE2SyntaxError(`invalid escape sequence: \\${c}`);
  }

  private hexEscape(inClass: boolean): string {
    if (this.p[this.i] === '{') {
      const end = this.p.indexOf('}', this.i);
      const hex = end < 0 ? '' : this.p.slice(this.i + 1, end);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw new RE2SyntaxError('invalid escape sequence: \\x{');
      this.i = end + 1;
      return literal(String.fromCodePoint(parseInt(hex, 16)), inClass);
    }
    const hex = this.p.slice(this.i, this.i + 2);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new RE2SyntaxError('invalid escape sequence: \\x');
    this.i += 2;
    return literal(String.fromCharCode(parseInt(hex, 16)), inClass);
  }

  private unicodeClass(negated: boolean): string {
    let name: string;
    if (this.p[this.i] === '{') {
      const end = this.p.indexOf('}', this.i);
      if (end < 0) throw new RE2SyntaxError('invalid character class range: \\p{');
      name = this.p.slice(this.i + 1, end);
      this.i = end + 1;
    } else {
      name = this.p[this.i] ?? '';
      this.i++;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (!/^[A-Za-z_]+$/.test(name)) throw new RE2SyntaxError(`invalid character class range: \\p{${name}}`);
    // RE2 takes general categories (L, Lu, …), scripts (Greek) and Any; JS wants scripts qualified.
    const js = name === 'Any' || /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${js}}`;
  }

  private charClass(): string {
    this.i++;
    let out = '[';
    if (this.p[this.i] === '^') {
      out += '^';
      this.i++;
    }
    let first = true;
    for (;;) {
      if (this.i >= this.p.length) throw new RE2SyntaxError('missing closing ]');
      const c = this.p[this.i]!;
      if (c === ']' && !first) {
        this.i++;
        return out + ']';
      }
      first = false;
      if (c === '[' && this.p[this.i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.p.slice(this.i));
        if (m) {
          const cls = POSIX_CLASSES[m[2]!];
          if (!cls) throw new RE2SyntaxError(`invalid character class range: ${m[0]}`);
          if (m[1]) throw new RE2SyntaxError(`negated POSIX class ${m[0]} is not supported`);
          out += cls;
          this.i += m[0].length;
          continue;
        }
      }
      if (c === '\\') {
        out += this.escape(true);
        continue;
      }
      if (c === '-') {
        // A literal dash at either end of the class; a range operator elsewhere.
        const atEdge = out.endsWith('[') || out.endsWith('[^') || this.p[this.i + 1] === ']';
        out += atEdge ? '\\-' : '-';
        this.i++;
        continue;
      }
      if (c === '[' || c === ']' || c === '/' || c === '{' || c === '}' || c === '(' || c === ')' || c === '|') {
        out += `\\${c}`;
        this.i++;
        continue;
      }
      const cp = this.p.codePointAt(this.i)!;
      const ch = String.fromCodePoint(cp);
      this.i += ch.length;
      out += ch;
    }
  }
}

/** A literal character in a Unicode-mode JS pattern (inside or outside a class). */
function literal(ch: string, inClass = false): string {
  // Unicode mode allows `\-` only inside a class.
  if (ch === '-') return inClass ? '\\-' : '-';
  if (JS_SYNTAX.has(ch)) return `\\${ch}`;
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return ch;
}

/**
 * Go's `Regexp.Expand` for a replacement template: `$name` / `${name}` (name = letters, digits,
 * underscores; all digits = group number, no leading zero), `$$` for `$`; an unknown or
 * unmatched group expands to nothing, a malformed `$` stays literal.
 */
export function expandTemplate(template: string, match: RegExpExecArray, groupNames: readonly string[]): string {
  let out = '';
  let rest = template;
  for (;;) {
    const at = rest.indexOf('$');
    if (at < 0) break;
    out += rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(\{)?([\p{L}\p{Nd}_]+)/u.exec(rest);
    if (!ref || (ref[1] && rest[ref[0].length] !== '}')) {
      out += '$';
      continue;
    }
    const name = ref[2]!;
    rest = rest.slice(ref[0].length + (ref[1] ? 1 : 0));
    let num = -1;
    if (/^[0-9]+$/.test(name) && !(name.length > 1 && name[0] === '0') && name.length <= 9) num = Number(name);
    if (num >= 0) {
      if (num === 0) out += match[0];
      else if (num < groupNames.length) out += match.groups?.[`g${num}`] ?? '';
      continue;
    }
    const index = groupNames.indexOf(name, 1);
    if (index > 0) out += match.groups?.[`g${index}`] ?? '';
  }
  return out + rest;
}
