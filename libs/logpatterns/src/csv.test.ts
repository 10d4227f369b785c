import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvColumns } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(parseCsv('a,b,c\n1,"x, y","say ""hi"""\n2,"two\nlines",\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
    ]);
    expect(parseCsv('a,b\r\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('names the problem in bad input', () => {
    expect(() => parseCsv('a,"b\n')).toThrow(/unterminated/);
    expect(() => parseCsvColumns('a,b\n1,2,3\n', 'f.csv')).toThrow(/f\.csv: row 2 has 3 fields, the header has 2/);
  });

  it('returns columns by header name', () => {
    const c = parseCsvColumns('LineId,Content\n1,"hello, world"\n2,bye');
    expect(c.get('Content')).toEqual(['hello, world', 'bye']);
  });
});
