import { describe, expect, it } from 'vitest';
import { unquoteStringLiteral } from '#pharos/promql';

describe('unquoteStringLiteral (Go strconv.Unquote)', () => {
  it.each([
    ['"plain"', 'plain'],
    ["'single \\'q\\''", "single 'q'"],
    ['"tab\\tnl\\nbell\\a\\v\\f\\b\\r\\\\"', 'tab\tnl\nbell\x07\v\f\b\r\\'],
    ['"\\u00e9\\U0001F600"', 'é😀'],
    ['"\\x41\\101"', 'AA'],
    ['"\\xc3\\xa9t\\303\\251"', 'été'], // byte escapes are UTF-8 bytes, as in Go
    ['"\\xc5z"', '\ufffdz'], // not UTF-8: JavaScript strings cannot keep the byte
    ['`raw \\n "x"`', 'raw \\n "x"'],
  ])('%s', (literal, value) => {
    expect(unquoteStringLiteral(literal)).toBe(value);
  });

  it.each(['"\\q"', '"\\x4"', '"\\400"', '"\\ud800"', '"unterminated', "'\\\"'"])('refuses %s', (literal) => {
    expect(() => unquoteStringLiteral(literal)).toThrow(SyntaxError);
  });
});
