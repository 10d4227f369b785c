import { describe, expect, it } from 'vitest';
import { apiKeyPrefixOf, newApiKey } from './api-key-format.js';
import { LoginThrottle } from './login-throttle.js';
import { randomReadablePassword } from './tokens.js';

describe('API key format', () => {
  it('makes phk_<12 hex>_<43 base64url> keys whose prefix parses back', () => {
    const { key, prefix } = newApiKey();
    expect(key).toMatch(/^phk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyPrefixOf(key)).toBe(prefix);
    expect(apiKeyPrefixOf(key + 'x')).toBeUndefined();
    expect(apiKeyPrefixOf('phs_' + key.slice(4))).toBeUndefined();
  });
});

describe('LoginThrottle', () => {
  it('refuses after the failures of a window until it ends, per login and address', () => {
    const t = new LoginThrottle(2, 1000);
    t.recordFailure('Bob', '1.1.1.1', 0);
    expect(t.retryAfter('bob', '1.1.1.1', 10)).toBe(0);
    t.recordFailure('bob', '1.1.1.1', 100);
    expect(t.retryAfter('BOB', '1.1.1.1', 400)).toBe(600);
    expect(t.retryAfter('bob', '2.2.2.2', 400)).toBe(0);
    expect(t.retryAfter('bob', '1.1.1.1', 1000)).toBe(0);
    t.recordSuccess('bob', '1.1.1.1');
  });

  it('stays bounded under a flood of addresses', () => {
    const t = new LoginThrottle(1, 60_000, 100);
    for (let i = 0; i < 1000; i++) t.recordFailure('victim', `10.0.${i >> 8}.${i & 255}`, i);
    expect(t.retryAfter('victim', '10.0.3.231', 1000)).toBeGreaterThan(0); // the latest is kept
    expect(t.retryAfter('victim', '10.0.0.0', 1000)).toBe(0); // the oldest went
  });
});

describe('randomReadablePassword', () => {
  it('draws from the unambiguous alphabet', () => {
    const all = Array.from({ length: 200 }, () => randomReadablePassword()).join('');
    expect(all).toMatch(/^[A-HJ-NP-Za-km-z2-9]+$/);
    expect(new Set(all).size).toBe(57);
  });
});
