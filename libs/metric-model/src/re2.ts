/**
 * Go RE2 regular expressions (`regexp/syntax`) on JavaScript's engine, shared by everything that
 * takes a Prometheus regex: label matchers (`=~`, `!~`), `label_replace`, relabeling.
 *
 * Prometheus compiles these fully anchored with dot-all, `^(?s:<regex>)$`. The pattern is
 * translated to an equivalent Unicode-mode JS pattern: RE2 syntax JS lacks is rewritten (named
 * groups `(?P<n>…)`, flag groups `(?i)` that hold to the end of their group across `|`, the
 * ungreedy flag `U`, `\z` `\A` `\Q…\E`, POSIX classes, `\pL`, ASCII-only `\s`, octal escapes,
 * literal braces, escaped punctuation), and what RE2 refuses (backreferences, lookaround) is
 * refused here too, so a pattern valid in one is valid in the other.
 *
 * Capture groups become plain numbered groups with their RE2 names kept aside: RE2 names such as
 * `1x` are not JS identifiers; `$name` expansion is `expandTemplate`'s (`re2-expand.ts`).
 */

/** A pattern RE2 refuses; the message is Go's, `<problem>: \`<fragment>\``. */
export class RE2SyntaxError extends Error {
  override readonly name = 'RE2SyntaxError';

  constructor(problem: string, fragment?: string) {
    super(fragment === undefined ? problem : `${problem}: \`${fragment}\``);
  }
}

export interface CompiledRE2 {
  /** Fully anchored, dot-all, Unicode-mode expression. */
  readonly regex: RegExp;
  /** RE2 names of the capture groups by group number (index 0 unused; '' for unnamed). */
  readonly groupNames: readonly string[];
  /** The RE2 pattern as written. */
  readonly source: string;
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

/** Patterns by source: selectors and rules repeat the same few, and translation is not free. */
const cache = new Map<string, CompiledRE2>();
const CACHE_LIMIT = 4096;

/**
 * Compiles an RE2 pattern anchored at both ends with dot-all, as Prometheus does
 * (`^(?s:<pattern>)$`); throws {@link RE2SyntaxError}. Results are cached by pattern.
 */
export function compileAnchoredRE2(pattern: string): CompiledRE2 {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const t = new Translator(pattern);
  const source = t.translate();
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${source})$`, 'su');
  } catch (e) {
    // What the translation lets through and JS still refuses (e.g. `a**`): RE2 refuses it too.
    throw new RE2SyntaxError(e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e));
  }
  const compiled: CompiledRE2 = { regex, groupNames: t.groupNames, source: pattern };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(pattern, compiled);
  return compiled;
}

interface Frame {
  /** JS modifier groups opened for flag-only groups `(?i)` in this group, closed with it. */
  readonly flagGroups: string[];
  ungreedy: boolean;
}

class Translator {
  private i = 0;
  readonly groupNames: string[] = [''];
  private readonly frames: Frame[] = [{ flagGroups: [], ungreedy: false }];
  /** Whether the output so far ends where a repetition operator has nothing to repeat. */
  private atStart = true;
  /** Where the repetition operator just read starts, or -1: RE2 refuses one right after another. */
  private repeatStart = -1;

  constructor(private readonly p: string) {}

  translate(): string {
    let out = '';
    while (this.i < this.p.length) out += this.atom();
    if (this.frames.length > 1) throw new RE2SyntaxError('missing closing )', this.p);
    return out + ')'.repeat(this.frames[0]!.flagGroups.length);
  }

  private get frame(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  private atom(): string {
    const c = this.p[this.i]!;
    const wasStart = this.atStart;
    this.atStart = false;
    const prevRepeat = this.repeatStart;
    this.repeatStart = -1;
    switch (c) {
      case '\\':
        return this.escape(false);
      case '[':
        return this.charClass();
      case '(':
        this.atStart = true;
        return this.openGroup();
      case ')': {
        this.i++;
        if (this.frames.length === 1) throw new RE2SyntaxError('unexpected )', this.p);
        const f = this.frames.pop()!;
        return ')'.repeat(f.flagGroups.length) + ')';
      }
      case '|': {
        // Flags set by `(?i)` hold to the end of the group, across `|`: close the modifier
        // groups before the alternation and reopen them after it.
        this.i++;
        this.atStart = true;
        const open = this.frame.flagGroups;
        return ')'.repeat(open.length) + '|' + open.join('');
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
          throw new RE2SyntaxError('invalid repeat count', m[0]);
        }
        if (wasStart) throw new RE2SyntaxError('missing argument to repetition operator', m[0]);
        const start = this.i;
        this.i += m[0].length;
        return m[0] + this.repetition(start, prevRepeat);
      }
      case '*':
      case '+':
      case '?':
        if (wasStart) throw new RE2SyntaxError('missing argument to repetition operator', c);
        this.i++;
        return c + this.repetition(this.i - 1, prevRepeat);
      case '}':
        this.i++;
        return '\\}';
      case '/':
        this.i++;
        return '\\/';
      case '^':
      case '$':
        // In a group, so that a repetition of it (`^*`, valid RE2) is valid JS too.
        this.i++;
        return `(?:${c})`;
      default: {
        const ch = String.fromCodePoint(this.p.codePointAt(this.i)!);
        this.i += ch.length;
        return ch;
      }
    }
  }

  /** After a repetition operator starting at `start`: its laziness; refuses a nested one as RE2 does. */
  private repetition(start: number, prevRepeat: number): string {
    const lazy = this.greediness();
    if (prevRepeat >= 0) throw new RE2SyntaxError('invalid nested repetition operator', this.p.slice(prevRepeat, this.i));
    this.repeatStart = start;
    return lazy;
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
    const start = this.i;
    this.i++;
    if (this.p[this.i] !== '?') {
      this.groupNames.push('');
      this.frames.push({ flagGroups: [], ungreedy: this.frame.ungreedy });
      return '(';
    }
    const rest = this.p.slice(this.i);
    const named = /^\?P?<([^>]*)>/.exec(rest);
    if (named) {
      const name = named[1]!;
      if (!/^[\p{L}\p{N}_]+$/u.test(name)) throw new RE2SyntaxError('invalid named capture', this.p.slice(start, this.i + named[0].length));
      if (this.groupNames.includes(name)) throw new RE2SyntaxError('duplicate capture group name', name);
      this.i += named[0].length;
      this.groupNames.push(name);
      this.frames.push({ flagGroups: [], ungreedy: this.frame.ungreedy });
      return '(';
    }
    const flags = /^\?([imsU]*)(?:-([imsU]*))?(:|\))/.exec(rest);
    if (!flags) throw new RE2SyntaxError('invalid or unsupported Perl syntax', this.p.slice(start, start + 3));
    this.i += flags[0].length;
    const on = flags[1]!;
    const off = flags[2] ?? '';
    if (flags[2] !== undefined && off === '') throw new RE2SyntaxError('missing flags after -', this.p.slice(start, this.i));
    const jsOn = on.replaceAll('U', '');
    const jsOff = off.replaceAll('U', '');
    const modifier = jsOn || jsOff ? `(?${jsOn}${jsOff ? `-${jsOff}` : ''}:` : '(?:';
    let ungreedy = this.frame.ungreedy;
    if (on.includes('U')) ungreedy = true;
    if (off.includes('U')) ungreedy = false;
    if (flags[3] === ':') {
      this.frames.push({ flagGroups: [], ungreedy });
      return modifier;
    }
    // `(?i)`: the flags hold to the end of the enclosing group; our modifier group closes there.
    this.atStart = true;
    this.frame.ungreedy = ungreedy;
    if (modifier === '(?:') return '';
    this.frame.flagGroups.push(modifier);
    return modifier;
  }

  /** An escape at `this.i` (a backslash), inside a class or not. */
  private escape(inClass: boolean): string {
    const c = this.p[this.i + 1];
    if (c === undefined) throw new RE2SyntaxError('trailing backslash at end of expression', '');
    this.i += 2;
    switch (c) {
      case 'A':
        if (inClass) break;
        return '(?:^)';
      case 'z':
        if (inClass) break;
        return '(?:$)';
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
        return `(?:\\${c})`;
      case 's':
        return inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      case 'S':
        if (inClass) throw new RE2SyntaxError('\\S inside a character class is not supported by Pharos', '\\S');
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
        if (c !== '0' && m === '') throw new RE2SyntaxError('invalid escape sequence', `\\${c}`);
        this.i += m.length;
        return literal(String.fromCharCode(parseInt(c + m, 8)), inClass);
      }
      default:
        if (/[\p{L}\p{N}]/u.test(c)) throw new RE2SyntaxError('invalid escape sequence', `\\${c}`);
        return literal(c, inClass);
    }
    throw new RE2SyntaxError('invalid escape sequence', `\\${c}`);
  }

  private hexEscape(inClass: boolean): string {
    if (this.p[this.i] === '{') {
      const end = this.p.indexOf('}', this.i);
      const hex = end < 0 ? '' : this.p.slice(this.i + 1, end);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) {
        throw new RE2SyntaxError('invalid escape sequence', `\\x{${end < 0 ? this.p.slice(this.i + 1) : hex}`);
      }
      this.i = end + 1;
      return literal(String.fromCodePoint(parseInt(hex, 16)), inClass);
    }
    const hex = this.p.slice(this.i, this.i + 2);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new RE2SyntaxError('invalid escape sequence', `\\x${hex}`);
    this.i += 2;
    return literal(String.fromCharCode(parseInt(hex, 16)), inClass);
  }

  private unicodeClass(negated: boolean): string {
    let name: string;
    if (this.p[this.i] === '{') {
      const end = this.p.indexOf('}', this.i);
      if (end < 0) throw new RE2SyntaxError('invalid character class range', this.p.slice(this.i - 2));
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
    if (!/^[A-Za-z_]+$/.test(name)) throw new RE2SyntaxError('invalid character class range', `\\p{${name}}`);
    // RE2 takes general categories (L, Lu, …), scripts (Greek) and Any; JS wants scripts qualified.
    const js = name === 'Any' || /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${js}}`;
  }

  private charClass(): string {
    const start = this.i;
    this.i++;
    let out = '[';
    if (this.p[this.i] === '^') {
      out += '^';
      this.i++;
    }
    let first = true;
    for (;;) {
      if (this.i >= this.p.length) throw new RE2SyntaxError('missing closing ]', this.p.slice(start));
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
          if (!cls) throw new RE2SyntaxError('invalid character class range', m[0]);
          if (m[1]) throw new RE2SyntaxError('negated POSIX classes are not supported by Pharos', m[0]);
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
      const ch = String.fromCodePoint(this.p.codePointAt(this.i)!);
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
