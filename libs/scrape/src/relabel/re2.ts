/**
 * Go RE2 syntax on JavaScript's engine, for relabeling regexes (Prometheus compiles them as
 * `^(?s:<regex>)$`). The forms where the two differ are rewritten — named groups `(?P<n>…)`,
 * flag groups `(?i)`, `\z` `\A` `\Q…\E`, POSIX classes, `\pL`, ASCII-only `\s`, literal
 * braces, escaped punctuation — and what RE2 refuses (backreferences, lookaround) is refused
 * here too, so a configuration Prometheus rejects is rejected here.
 *
 * Named groups become plain numbered groups with their names kept aside: RE2 names such as
 * `1x` are not JS identifiers, and `$name` expansion is done by {@link expandTemplate}.
 */

export class RE2SyntaxError extends Error {
  override readonly name = 'RE2SyntaxError';
}

export interface AnchoredRegex {
  readonly regex: RegExp;
  /** Group index by RE2 name. */
  readonly names: ReadonlyMap<string, number>;
  readonly source: string;
}

const POSIX: Readonly<Record<string, string>> = {
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

/** Unicode general categories JS knows by their short names; anything else is a script. */
const CATEGORIES = new Set(['C', 'Cc', 'Cf', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs']);

const JS_SPECIAL = '\\^$.|?*+()[]{}/-';

const cache = new Map<string, AnchoredRegex>();

/** Compiles `^(?s:pattern)$` with RE2 semantics; throws {@link RE2SyntaxError}. Cached by pattern. */
export function compileAnchored(pattern: string): AnchoredRegex {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const names = new Map<string, number>();
  const body = translate(pattern, names);
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${body})$`, 'su');
  } catch (err) {
    throw new RE2SyntaxError(`error parsing regexp ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
  const compiled = { regex, names, source: pattern };
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

function translate(p: string, names: Map<string, number>): string {
  let out = '';
  let group = 0;
  /** Per open group: the flag groups `(?i)` opened inside it, closed with it (and around each `|`). */
  const pending: string[][] = [[]];
  const fail = (what: string): never => {
    throw new RE2SyntaxError(`error parsing regexp ${JSON.stringify(p)}: ${what}`);
  };
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      const [text, next] = escape(p, i, false, fail);
      out += text;
      i = next;
      continue;
    }
    if (c === '[') {
      const [text, next] = charClass(p, i, fail);
      out += text;
      i = next;
      continue;
    }
    if (c === '(') {
      if (p[i + 1] === '?') {
        const rest = p.slice(i + 2);
        const named = /^P?<([A-Za-z0-9_]+)>/.exec(rest);
        if (named) {
          group++;
          if (names.has(named[1]!)) fail(`duplicate capture group name: ${named[1]}`);
          names.set(named[1]!, group);
          out += '(';
          pending.push([]);
          i += 2 + named[0].length;
          continue;
        }
        const flags = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
        if (!flags) fail(`invalid or unsupported Perl syntax: ${JSON.stringify(p.slice(i, i + 3))}`);
        const on = flags![1]!;
        const off = flags![2] ?? '';
        if (on.includes('U') || off.includes('U')) fail('the ungreedy flag (?U) is not supported by Pharos');
        const mods = (on ? on : '') + (off ? '-' + off : '');
        i += 2 + flags![0].length;
        if (flags![3] === ':') {
          out += mods ? `(?${mods}:` : '(?:';
          pending.push([]);
        } else {
          // `(?i)` applies to the rest of the enclosing group: open a modifier group closed with it.
          if (mods) {
            out += `(?${mods}:`;
            pending[pending.length - 1]!.push(mods);
          }
        }
        continue;
      }
      group++;
      out += '(';
      pending.push([]);
      i++;
      continue;
    }
    if (c === ')') {
      if (pending.length === 1) fail('unexpected )');
      out += ')'.repeat(pending.pop()!.length) + ')';
      i++;
      continue;
    }
    if (c === '|') {
      // Flags set by `(?i)` last to the end of the group, across `|`: close the modifier groups
      // before the alternation and reopen them after it, so each alternative keeps them.
      const open = pending[pending.length - 1]!;
      out += ')'.repeat(open.length) + '|' + open.map((m) => `(?${m}:`).join('');
      i++;
      continue;
    }
    if (c === '{') {
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
      if (rep) {
        const lo = Number(rep[1]);
        const hi = rep[3] ? Number(rep[3]) : lo;
        if (lo > 1000 || hi > 1000) fail(`invalid repeat count: ${rep[0]}`);
        if (rep[3] && hi < lo) fail(`invalid repeat count: ${rep[0]}`);
        if (out === '' || /[|(]$/.test(out)) fail(`missing argument to repetition operator: ${rep[0]}`);
        out += rep[0];
        i += rep[0].length;
        continue;
      }
      out += '\\{';
      i++;
      continue;
    }
    if (c === '}' || c === ']' || c === '/') {
      out += '\\' + c;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  if (pending.length !== 1) fail('missing closing )');
  return out + ')'.repeat(pending[0]!.length);
}

/** An escape outside or inside a class, as JS source; returns [text, next index]. */
function escape(p: string, i: number, inClass: boolean, fail: (m: string) => never): [string, number] {
  const n = p[i + 1];
  if (n === undefined) fail('trailing backslash at end of expression');
  switch (n) {
    case 'A':
      if (inClass) fail('invalid escape sequence: \\A');
      return ['^', i + 2];
    case 'z':
      if (inClass) fail('invalid escape sequence: \\z');
      return ['$', i + 2];
    case 'Q': {
      const end = p.indexOf('\\E', i + 2);
      const lit = end < 0 ? p.slice(i + 2) : p.slice(i + 2, end);
      return [[...lit].map(literal).join(''), end < 0 ? p.length : end + 2];
    }
    case 's':
      return [inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]', i + 2];
    case 'S':
      if (inClass) fail('\\S inside a character class is not supported by Pharos');
      return ['[^\\t\\n\\f\\r ]', i + 2];
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 'n':
    case 't':
    case 'r':
    case 'f':
    case 'v':
      return ['\\' + n, i + 2];
    case 'a':
      return ['\\x07', i + 2];
    case 'b':
    case 'B':
      if (inClass) fail(`invalid escape sequence: \\${n}`);
      return ['\\' + n, i + 2];
    case 'x': {
      if (p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        const hex = end < 0 ? '' : p.slice(i + 3, end);
        if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) fail(`invalid escape sequence: ${p.slice(i, end + 1)}`);
        return [`\\u{${hex}}`, end + 1];
      }
      const hex = p.slice(i + 2, i + 4);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) fail(`invalid escape sequence: \\x${hex}`);
      return [`\\x${hex}`, i + 4];
    }
    case 'p':
    case 'P': {
      let name: string;
      let next: number;
      if (p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        if (end < 0) fail('invalid character class range');
        name = p.slice(i + 3, end);
        next = end + 1;
      } else {
        name = p[i + 2] ?? '';
        next = i + 3;
      }
      let negate = n === 'P';
      if (name.startsWith('^')) (negate = !negate), (name = name.slice(1));
      if (!/^[A-Za-z_]+$/.test(name)) fail(`invalid character class range: \\${n}{${name}}`);
      const prop = name === 'Any' ? 'Any' : CATEGORIES.has(name) ? name : `Script=${name}`;
      return [`\\${negate ? 'P' : 'p'}{${prop}}`, next];
    }
    default:
      if (n! >= '0' && n! <= '7') {
        const oct = /^[0-7]{1,3}/.exec(p.slice(i + 1))![0];
        if (oct.length === 1 && oct !== '0') fail(`invalid escape sequence: \\${oct}`);
        return [`\\u{${parseInt(oct, 8).toString(16)}}`, i + 1 + oct.length];
      }
      if (/[0-9A-Za-z]/.test(n!)) fail(`invalid escape sequence: \\${n}`);
      // RE2 lets any punctuation be escaped; JS's Unicode mode only its syntax characters.
      return [literal(n!), i + 2];
  }
}

function literal(ch: string): string {
  if (JS_SPECIAL.includes(ch)) return '\\' + ch;
  return ch;
}

/** A bracket expression `[…]`; returns [JS class, next index]. */
function charClass(p: string, i: number, fail: (m: string) => never): [string, number] {
  let out = '[';
  let j = i + 1;
  if (p[j] === '^') (out += '^'), j++;
  // A ']' right after '[' or '[^' is a literal in RE2.
  if (p[j] === ']') (out += '\\]'), j++;
  while (j < p.length && p[j] !== ']') {
    const c = p[j]!;
    if (c === '[' && p[j + 1] === ':') {
      const end = p.indexOf(':]', j + 2);
      if (end < 0) fail('missing closing ]');
      let name = p.slice(j + 2, end);
      const negated = name.startsWith('^');
      if (negated) name = name.slice(1);
      const ranges = POSIX[name];
      if (!ranges) fail(`invalid character class range: [:${name}:]`);
      if (negated) fail(`negated POSIX class [:^${name}:] is not supported by Pharos`);
      out += ranges;
      j = end + 2;
      continue;
    }
    if (c === '\\') {
      const [text, next] = escape(p, j, true, fail);
      out += text;
      j = next;
      continue;
    }
    if (c === '[' || c === '/' || c === '{' || c === '}' || c === '(' || c === ')' || c === '|') {
      out += '\\' + c;
      j++;
      continue;
    }
    out += c;
    j++;
  }
  if (j >= p.length) fail('missing closing ]');
  return [out + ']', j + 1];
}

/**
 * Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`. A name is the longest run of
 * letters, digits and '_' after `$`, so `$1x` names group "1x" (empty when there is none) —
 * the surprise Prometheus documents for `replacement`.
 */
export function expandTemplate(template: string, match: RegExpExecArray, names: ReadonlyMap<string, number>): string {
  if (!template.includes('$')) return template;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf('$', i);
    if (d < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, d);
    const next = template[d + 1];
    if (next === '$') {
      out += '$';
      i = d + 2;
      continue;
    }
    let name: string;
    let end: number;
    if (next === '{') {
      const close = template.indexOf('}', d + 2);
      name = close < 0 ? '' : template.slice(d + 2, close);
      if (close < 0 || !/^[A-Za-z0-9_]+$/.test(name)) {
        out += '$';
        i = d + 1;
        continue;
      }
      end = close + 1;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(d + 1));
      if (!m) {
        out += '$';
        i = d + 1;
        continue;
      }
      name = m[0];
      end = d + 1 + name.length;
    }
    const index = /^\d+$/.test(name) ? Number(name) : names.get(name);
    if (index !== undefined && index < match.length) out += match[index] ?? '';
    i = end;
  }
  return out;
}
