import { describe, expect, it } from 'vitest';
import { presentedCredential } from './credentials.js';

const token = (authorization: string | undefined) => presentedCredential(authorization === undefined ? {} : { authorization })?.token;

describe('presentedCredential', () => {
  it('reads bearer and Influx tokens and basic-auth passwords (Prometheus basic_auth), nothing else', () => {
    expect(token('Bearer phk_abc')).toBe('phk_abc');
    expect(token('bearer   tok  ')).toBe('tok');
    expect(token('Token influx-tok')).toBe('influx-tok');
    const basic = 'Basic ' + Buffer.from('prometheus:phk_secret:with:colons').toString('base64');
    expect(token(basic)).toBe('phk_secret:with:colons');
    expect(token('Basic ' + Buffer.from('user:').toString('base64'))).toBeUndefined();
    expect(token('Digest abc')).toBeUndefined();
    expect(token('Bearer')).toBeUndefined();
    expect(token(undefined)).toBeUndefined();
  });

  it('falls back to the session cookie only without an Authorization header', () => {
    expect(presentedCredential({ cookie: 'a=1; pharos_session=phs_x; b=2' })).toEqual({ token: 'phs_x', source: 'cookie' });
    expect(presentedCredential({ cookie: 'pharos_session=phs_x', authorization: 'Bearer k' })).toEqual({ token: 'k', source: 'authorization' });
    expect(presentedCredential({ cookie: 'other=1' })).toBeUndefined();
  });
});
