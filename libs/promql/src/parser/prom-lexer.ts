/**
 * A tokenizer that follows Prometheus' PromQL lexer (`promql/parser/lex.go`) state by state.
 * lezer builds the syntax tree; this lexer exists to say what Prometheus says when the input is
 * not valid: its lexer errors (`unclosed left parenthesis`, `unterminated quoted string`, …)
 * and its descriptions of unexpected tokens (`<aggr:sum>`, `identifier "foo"`, `end of input`).
 */

export type TokenKind =
  | 'EOF'
  | 'IDENTIFIER'
  | 'METRIC_IDENTIFIER'
  | 'NUMBER'
  | 'DURATION'
  | 'STRING'
  | 'KEYWORD'
  | 'AGGREGATOR'
  | 'OPERATOR'
  | 'PREPROCESSOR'
  | 'PUNCT';

export interface Token {
  readonly kind: TokenKind;
  /** UTF-16 index range in the input. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface LexResult {
  readonly tokens: readonly Token[];
  /** The first lexer error, with its position (Prometheus reports it from the item start). */
  readonly error?: { readonly pos: number; readonly reason: string };
}

const OPERATOR_WORDS = new Set(['and', 'or', 'unless', 'atan2']);
const AGGREGATORS = new Set([
  'sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'count_values', 'quantile', 'limitk', 'limit_ratio',
]);
const KEYWORDS = new Set([
  'offset', 'smoothed', 'anchored', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'fill', 'fill_left', 'fill_right', 'bool',
]);
const PREPROCESSORS = new Set(['start', 'end', 'step', 'range', 'max_of', 'min_of']);
const DURATION_KEYWORDS = new Set(['step', 'range', 'max_of', 'min_of']);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && (c === '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlphaNumeric = (c: string | undefined): boolean => isAlpha(c) || isDigit(c);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** Go's `%q` of a rune: single-quoted. */
function runeQ(c: string | undefined): string {
  if (c === undefined) return "'\\x00'";
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  const json = JSON.stringify(c);
  return `'${json.slice(1, -1)}'`;
}

/** Go's `%#U`: `U+0078 'x'`. */
function runeU(c: string): string {
  const cp = c.codePointAt(0)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${runeQ(c)}`;
}

class LexError extends Error {
  constructor(
    readonly pos: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface LexOptions {
  /**
   * Prometheus' `promql-unquoted-utf8-names` feature (`EnableUnquotedUTF8Names`): names may
   * start with any Unicode letter and contain dots after the first character.
   */
  readonly unquotedUTF8Names?: boolean;
}

const UNICODE_LETTER = /^\p{L}$/u;

/** Tokenizes `input` as Prometheus does, stopping at the first lexer error. */
export function lexPromQL(input: string, options?: LexOptions): LexResult {
  const utf8Names = options?.unquotedUTF8Names === true;
  const tokens: Token[] = [];
  let pos = 0;
  let start = 0;
  let parenDepth = 0;
  let braceOpen = false;
  let bracketOpen = false;
  let gotColon = false;
  let gotDuration = false;
  let inDurationExpr = false;

  const peek = (): string | undefined => input[pos];
  const next = (): string | undefined => input[pos++];
  const fail = (reason: string): never => {
    throw new LexError(start, reason);
  };
  const emit = (kind: TokenKind): void => {
    tokens.push({ kind, start, end: pos, text: input.slice(start, pos) });
    start = pos; // as Go's emit: a later error in the same step is reported after this token
  };
  /** UTF-16 length of the name-start character at `at` (Go's `isNameStart`), 0 if there is none. */
  const nameStartAt = (at: number): number => {
    const c = input[at];
    if (isAlpha(c)) return 1;
    if (!utf8Names || c === undefined || c < '\u0080') return 0;
    const cp = input.codePointAt(at)!;
    const ch = String.fromCodePoint(cp);
    return UNICODE_LETTER.test(ch) ? ch.length : 0;
  };
  /** Same for a character that may continue a name (`isNameContinue`). */
  const nameContinueAt = (at: number): number => {
    const c = input[at];
    if (isDigit(c) || (utf8Names && c === '.')) return 1;
    return nameStartAt(at);
  };
  /** Consumes name characters, and colons when `colons`. */
  const absorbName = (colons: boolean): void => {
    for (;;) {
      if (colons && input[pos] === ':') {
        pos++;
        continue;
      }
      const n = nameContinueAt(pos);
      if (n === 0) return;
      pos += n;
    }
  };
  const accept = (valid: string): boolean => {
    const c = peek();
    if (c !== undefined && valid.includes(c)) {
      pos++;
      return true;
    }
    return false;
  };

  const scanNumber = (): boolean => {
    const initial = pos;
    let digits = '0123456789';
    if (input[pos] === '0' && (input[pos + 1] === 'x' || input[pos + 1] === 'X')) {
      pos += 2;
      accept('_');
      digits = '0123456789abcdefABCDEF';
    }
    accept('.');
    accept(digits);
    let dot = false;
    let exponent = false;
    // Prometheus checks the exponent before the digits, so `e` ends a hex number's digits too.
    for (;;) {
      const c = peek();
      if (c === undefined || !(digits + '._eE').includes(c)) break;
      if (c === '.' && dot) {
        pos++;
        return false;
      }
      if ((c === 'e' || c === 'E') && exponent) {
        pos++;
        return false;
      }
      if (c === '.') {
        pos++;
        dot = true;
        if (accept('_.')) return false;
        if (digits.length > 10) return false;
        continue;
      }
      if (c === 'e' || c === 'E') {
        pos++;
        exponent = true;
        accept('+-');
        if (accept('._eE') || peek() === undefined) return false;
        continue;
      }
      if (c === '_') {
        pos++;
        if (accept('._eE') || peek() === undefined) return false;
        continue;
      }
      while (peek() !== undefined && digits.includes(peek()!)) pos++;
    }
    if (pos === initial) return false;
    return !isAlphaNumeric(peek());
  };

  const acceptRemainingDuration = (): boolean => {
    if (!accept('smhdwy')) return false;
    accept('s');
    while (accept('0123456789')) {
      while (accept('0123456789'));
      if (!accept('smhdw')) return false;
      accept('s');
    }
    const c = next();
    return !isAlphaNumeric(c);
  };

  const lexNumberOrDuration = (): void => {
    if (scanNumber()) return emit('NUMBER');
    // What scanNumber consumed stays consumed, as in Go: only a unit may follow it.
    if (acceptRemainingDuration()) {
      pos--;
      return emit('DURATION');
    }
    fail(`bad number or duration syntax: ${JSON.stringify(input.slice(start, pos))}`);
  };

  const lexString = (quote: string): void => {
    for (;;) {
      const c = next();
      if (c === '\\') {
        lexEscape(quote);
        continue;
      }
      if (c === undefined || c === '\n') fail('unterminated quoted string');
      if (c === quote) break;
    }
    emit('STRING');
  };

  const lexEscape = (quote: string): void => {
    let c = next();
    let n: number;
    let base: number;
    let max: number;
    switch (c) {
      case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\': case quote:
        return;
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        [n, base, max] = [3, 8, 255];
        break;
      case 'x':
        c = next();
        [n, base, max] = [2, 16, 255];
        break;
      case 'u':
        c = next();
        [n, base, max] = [4, 16, 0x10ffff];
        break;
      case 'U':
        c = next();
        [n, base, max] = [8, 16, 0x10ffff];
        break;
      case undefined:
        return fail('escape sequence not terminated');
      default:
        return fail(`unknown escape sequence ${runeU(c)}`);
    }
    let x = 0;
    while (n > 0) {
      const d = c === undefined ? 16 : parseInt(c, 16);
      if (Number.isNaN(d) || d >= base) {
        if (c === undefined) fail('escape sequence not terminated');
        fail(`illegal character ${runeU(c!)} in escape sequence`);
      }
      x = x * base + d;
      n--;
      if (n > 0) c = next();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) fail('escape sequence is an invalid Unicode code point');
  };

  const lexRawString = (): void => {
    for (;;) {
      const c = next();
      if (c === undefined) fail('unterminated raw string');
      if (c === '`') break;
    }
    emit('STRING');
  };

  const lexComment = (): void => {
    while (pos < input.length && input[pos] !== '\n' && input[pos] !== '\r') pos++;
  };

  const lexWord = (): void => {
    absorbName(true);
    const word = input.slice(start, pos);
    // A name with non-ASCII letters is never a keyword, even one that lowercases to ASCII.
    if (utf8Names && /[^\x00-\x7f]/.test(word)) return emit('IDENTIFIER');
    const lower = word.toLowerCase();
    if (lower === 'inf' || lower === 'nan') return emit('NUMBER');
    if ((lower === 'fill' || lower === 'fill_left' || lower === 'fill_right') && !/^\s*\(/.test(input.slice(pos))) return emit('IDENTIFIER');
    if (OPERATOR_WORDS.has(lower)) return emit('OPERATOR');
    if (AGGREGATORS.has(lower)) return emit('AGGREGATOR');
    if (KEYWORDS.has(lower)) return emit('KEYWORD');
    if (PREPROCESSORS.has(lower)) return emit('PREPROCESSOR');
    emit(word.includes(':') ? 'METRIC_IDENTIFIER' : 'IDENTIFIER');
  };

  const durationKeyword = (): boolean => {
    while (isAlpha(peek())) pos++;
    if (DURATION_KEYWORDS.has(input.slice(start, pos).toLowerCase())) {
      emit('PREPROCESSOR');
      return true;
    }
    return false;
  };

  const insideBraces = (): void => {
    const c = next();
    if (c === undefined) return fail('unexpected end of input inside braces');
    if (isSpace(c)) return;
    const nameStart = nameStartAt(pos - 1);
    if (nameStart > 0) {
      pos += nameStart - 1;
      absorbName(false);
      return emit('IDENTIFIER');
    }
    switch (c) {
      case ',': return emit('PUNCT');
      case '"': case "'": return lexString(c);
      case '`': return lexRawString();
      case '=':
        accept('~');
        return emit(input[pos - 1] === '~' ? 'OPERATOR' : 'PUNCT');
      case '!': {
        const n = next();
        if (n === '~' || n === '=') return emit('OPERATOR');
        return fail(`unexpected character after '!' inside braces: ${runeQ(n)}`);
      }
      case '{': return fail("unexpected left brace '{'");
      case '}':
        braceOpen = false;
        return emit('PUNCT');
    }
    fail(`unexpected character inside braces: ${runeQ(c)}`);
  };

  const durationExpr = (): void => {
    const c = next();
    if (c === undefined) return fail('unexpected end of input in duration expression');
    if (isSpace(c)) return;
    switch (c) {
      case ']':
        bracketOpen = false;
        gotColon = false;
        inDurationExpr = false;
        return emit('PUNCT');
      case ':':
        emit('PUNCT');
        if (!gotDuration) fail('unexpected colon before duration in duration expression');
        if (gotColon) fail('unexpected repeated colon in duration expression');
        gotColon = true;
        return;
      case '(':
        parenDepth++;
        return emit('PUNCT');
      case ')':
        emit('PUNCT');
        if (--parenDepth < 0) fail("unexpected right parenthesis ')'");
        return;
      case ',':
        return emit('PUNCT');
      case '+': case '-': case '*': case '/': case '%': case '^':
        return emit('OPERATOR');
    }
    if (/[smrSMR]/.test(c)) {
      if (durationKeyword()) {
        gotDuration = true;
        return;
      }
      fail(`unexpected character in duration expression: ${runeQ(c)}`);
    }
    if (isDigit(c) || (c === '.' && isDigit(peek()))) {
      pos--;
      gotDuration = true;
      inDurationExpr = false; // Prometheus continues in its statement state after a number
      return lexNumberOrDuration();
    }
    fail(`unexpected character in duration expression: ${runeQ(c)}`);
  };

  const statement = (): boolean => {
    if (braceOpen) {
      if (input[pos] === '#') return lexComment(), true;
      insideBraces();
      return true;
    }
    if (inDurationExpr) {
      durationExpr();
      return true;
    }
    if (input[pos] === '#') return lexComment(), true;
    const c = next();
    if (c === undefined) {
      if (parenDepth !== 0) fail('unclosed left parenthesis');
      if (bracketOpen) fail('unclosed left bracket');
      emit('EOF');
      return false;
    }
    if (isSpace(c)) return true;
    switch (c) {
      case ',': emit('PUNCT'); return true;
      case '*': case '/': case '%': case '+': case '-': case '^': case '@':
        emit('OPERATOR');
        return true;
      case '=':
        if (peek() === '=') {
          pos++;
          emit('OPERATOR');
        } else if (peek() === '~') {
          fail("unexpected character after '=': '~'");
        } else emit('PUNCT');
        return true;
      case '!': {
        const n = next();
        if (n !== '=') fail(`unexpected character after '!': ${runeQ(n)}`);
        emit('OPERATOR');
        return true;
      }
      case '<': case '>':
        accept('=/');
        emit('OPERATOR');
        return true;
      case '"': case "'": lexString(c); return true;
      case '`': lexRawString(); return true;
      case '(': parenDepth++; emit('PUNCT'); return true;
      case ')':
        emit('PUNCT');
        if (--parenDepth < 0) fail("unexpected right parenthesis ')'");
        return true;
      case '{': braceOpen = true; emit('PUNCT'); return true;
      case '[':
        if (bracketOpen) fail("unexpected left bracket '['");
        gotColon = false;
        gotDuration = false;
        emit('PUNCT');
        bracketOpen = true;
        inDurationExpr = true;
        return true;
      case ']':
        if (!bracketOpen) fail("unexpected right bracket ']'");
        bracketOpen = false;
        emit('PUNCT');
        return true;
    }
    if (isDigit(c) || (c === '.' && isDigit(peek()))) {
      pos--;
      lexNumberOrDuration();
      return true;
    }
    const nameStart = nameStartAt(pos - 1);
    if (nameStart > 0 || c === ':') {
      if (!bracketOpen) {
        pos = start + Math.max(nameStart, 1);
        lexWord();
        return true;
      }
      if (c === ':') {
        if (gotColon) fail("unexpected colon ':'");
        emit('PUNCT');
        gotColon = true;
        return true;
      }
      if (/[smrSMR]/.test(c) && durationKeyword()) return true;
      fail(`unexpected character: ${runeQ(c)}, expected ':'`);
    }
    fail(`unexpected character: ${runeQ(c)}`);
    return false;
  };

  try {
    for (;;) {
      start = pos;
      if (!statement()) break;
    }
    return { tokens };
  } catch (err) {
    if (err instanceof LexError) return { tokens, error: { pos: err.pos, reason: err.reason } };
    throw err;
  }
}
