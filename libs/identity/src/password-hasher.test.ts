import { describe, expect, it } from 'vitest';
import { OWASP_ARGON2ID, PasswordHasher, PasswordPolicy, argon2idRaw } from './password-hasher.js';

const FAST = { memoryKiB: 1024, passes: 1, parallelism: 1 };

describe('PasswordHasher', () => {
  it('computes argon2id as RFC 9106 §5.3 specifies (test vector)', async () => {
    const tag = await argon2idRaw(Buffer.alloc(32, 1), Buffer.alloc(16, 2), { memoryKiB: 32, passes: 3, parallelism: 4 }, 32, {
      secret: Buffer.alloc(8, 3),
      associatedData: Buffer.alloc(12, 4),
    });
    expect(tag.toString('hex')).toBe('0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659');
  });

  it('uses the OWASP parameters by default and writes PHC strings', async () => {
    const hasher = new PasswordHasher();
    expect(hasher.parameters).toEqual({ memoryKiB: 19_456, passes: 2, parallelism: 1 });
    const started = performance.now();
    const phc = await hasher.hash('correct horse battery staple');
    const ms = performance.now() - started;
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify(phc, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(phc, 'correct horse battery stapl')).toBe(false);
    console.log(`argon2id ${JSON.stringify(OWASP_ARGON2ID)}: one hash in ${ms.toFixed(0)} ms`);
  });

  it('salts every hash, verifies across parameter sets and flags old parameters for rehash', async () => {
    const fast = new PasswordHasher(FAST);
    const [a, b] = [await fast.hash('same password'), await fast.hash('same password')];
    expect(a).not.toBe(b);
    const stronger = new PasswordHasher({ memoryKiB: 2048, passes: 2, parallelism: 2 });
    expect(await stronger.verify(a, 'same password')).toBe(true);
    expect(stronger.needsRehash(a)).toBe(true);
    expect(fast.needsRehash(a)).toBe(false);
  });

  it('treats canonically equal Unicode passwords alike (NFC) and refuses malformed or absurd hashes', async () => {
    const fast = new PasswordHasher(FAST);
    const phc = await fast.hash('caf\u00e9 au lait!');
    expect(await fast.verify(phc, 'cafe\u0301 au lait!')).toBe(true);
    expect(await fast.verify('$2b$10$bcryptlooking', 'x')).toBe(false);
    expect(await fast.verify('$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaA', 'x')).toBe(false);
    expect(fast.needsRehash('not a hash')).toBe(true);
  });

  it('rejects invalid parameters', () => {
    expect(() => new PasswordHasher({ memoryKiB: 4, passes: 1, parallelism: 1 })).toThrow(/memory/);
    expect(() => new PasswordHasher({ memoryKiB: 1024, passes: 0, parallelism: 1 })).toThrow(/passes/);
  });
});

describe('PasswordPolicy', () => {
  it('names what is wrong', () => {
    const policy = new PasswordPolicy(12, 64);
    expect(policy.problem('short')).toBe('a password must have at least 12 characters');
    expect(policy.problem('x'.repeat(65))).toBe('a password must have at most 64 characters');
    expect(policy.problem(' '.repeat(12))).toBe('a password must not be only spaces');
    expect(policy.problem('long enough pass')).toBeUndefined();
  });
});
