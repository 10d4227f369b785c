import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `bytes` of CSPRNG output, base64url (no padding): 32 bytes give 256 bits in 43 characters. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Lower-case hex SHA-256 of a token. Tokens are 256-bit random, so a fast hash is enough. */
export function sha256Hex(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares two hex digests in time independent of where they differ. */
export function hexDigestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

const ALPHANUMERIC = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * A password a person can type from a terminal: letters and digits without look-alikes
 * (0/O, 1/l/I), drawn without modulo bias. 24 characters of 57 carry ~140 bits.
 */
export function randomReadablePassword(length = 24): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 57 * 4 = 228: bytes at or above it would bias the first symbols.
      if (byte < 228 && out.length < length) out += ALPHANUMERIC[byte % 57];
    }
  }
  return out;
}
