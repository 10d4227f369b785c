import { describe, expect, it } from 'vitest';
import { maskDates, maskToken, maskTokens } from './masker.js';

describe('generic variable masking', () => {
  it.each([
    ['6725', '<*>'],
    ['-17', '<*>'],
    ['0.023958297', '<*>'],
    ['65020ms', '<*>'],
    ['0x0b85eee0', '<*>'],
    ['003a90fc', '<*>'],
    ['10.251.73.220:50010', '<*>'],
    ['/10.251.42.84', '<*>'],
    ['[173.234.31.186]', '[<*>]'],
    ['msra-sa-41:8030.', '<*>.'],
    ['FF:F2:9F:16:E2:23:00:0D:60:E9:1D:DC', '<*>'],
    ['123e4567-e89b-12d3-a456-426614174000', '<*>'],
    ['/etc/httpd/conf/workers2.properties', '<*>'],
    ['hdfs://msra-sa-41:9000/tmp/x.jar', '<*>'],
    ['blk_-6952295868487656571', '<*>'],
    ['attempt_1445144423722_0020_m_000000_0', '<*>'],
    ['uid=0', 'uid=<*>'],
    ['(HWID=1973)', '(HWID=<*>)'],
    ['node-246', 'node-<*>'],
    ['core.2275', 'core.<*>'],
    ['instruction......0', 'instruction......<*>'],
    ['vCores:-17>', 'vCores:<*>>'],
  ])('masks %s as %s', (token, masked) => {
    expect(maskToken(token)).toBe(masked);
  });

  it.each(['jk2_init()', 'tty2', 'alt0', 'workerEnv.init()', 'PSR0', 'hadoop-metrics2.properties', 'NODEVssh', 'x+'])(
    'keeps the constant %s',
    (token) => {
      expect(maskToken(token)).toBe(token);
    },
  );

  it('masks dates that span several tokens as one variable', () => {
    expect(maskDates('connection from 1.2.3.4 () at Fri Jun 17 07:07:00 2005')).toBe('connection from 1.2.3.4 () at <*>');
    expect(maskDates('status=M Fri Jul 01 08:16:53 PDT 2005')).toBe('status=M <*>');
    expect(maskDates('at 2015-07-29 17:41:44,747 done')).toBe('at <*> done');
    expect(maskDates('no date: here')).toBe('no date: here');
  });

  it('splits on any whitespace run, folds size units into numbers and lists into one variable', () => {
    expect(maskTokens('  a\tb   c ')).toEqual(['a', 'b', 'c']);
    expect(maskTokens('estimated size 12.5 KB, free 3 MB)')).toEqual(['estimated', 'size', '<*>,', 'free', '<*>)']);
    expect(maskTokens('ask 1.2.3.4:50010 to delete blk_1 blk_2 blk_3 blk_4')).toEqual(['ask', '<*>', 'to', 'delete', '<*>']);
    expect(maskTokens('data source name an14 an15 an16 an17')).toEqual(['data', 'source', 'name', '<*>']);
    expect(maskTokens('interface alt0 up')).toEqual(['interface', 'alt0', 'up']);
  });
});
