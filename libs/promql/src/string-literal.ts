const UTF8 = new TextDecoder('utf-8');

/**
 * Unquotes a PromQL string literal: double- or single-quoted with Go escape sequences, or a
 * backquoted raw string (promql/parser/lex.go follows Go's strconv.Unquote).
 *
 * Go strings are bytes: `\xHH` and octal escapes are bytes, so `"\xc3\xa9"` is `é`. A run of
 * byte escapes is decoded as UTF-8; bytes that are not valid UTF-8 become U+FFFD, since a
 * JavaScript string cannot hold them.
 */
export function unquoteStringLiteral(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== quote) throw new SyntaxError(`unterminated string ${literal}`);
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  if (quote !== '"' && quote !== "'") throw new SyntaxError(`not a string literal: ${literal}`);
  let out = '';
  let bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length > 0) out += UTF8.decode(new Uint8Array(bytes));
    bytes = [];
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const isByteEscape = c === '\\' && (body[i + 1] === 'x' || (body[i + 1]! >= '0' && body[i + 1]! <= '7'));
    if (!isByteEscape) flushBytes();
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    switch (e) {
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"':
      case "'":
        if (e !== quote) throw new SyntaxError(`unknown escape sequence \\${e} in ${literal}`);
        out += e;
        break;
      case 'x':
      case 'u':
      case 'U': {
        const digits = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + digits);
        if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) throw new SyntaxError(`invalid escape \\${e}${hex} in ${literal}`);
        const code = parseInt(hex, 16);
        if (e === 'x') bytes.push(code);
        else if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) throw new SyntaxError(`invalid code point \\${e}${hex}`);
        else out += String.fromCodePoint(code);
        i += digits;
        break;
      }
      default: {
        if (e !== undefined && e >= '0' && e <= '7') {
          const oct = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new SyntaxError(`invalid octal escape \\${oct} in ${literal}`);
          bytes.push(parseInt(oct, 8));
          i += 2;
          break;
        }
        throw new SyntaxError(`unknown escape sequence \\${e ?? ''} in ${literal}`);
      }
    }
  }
  flushBytes();
  return out;
}
