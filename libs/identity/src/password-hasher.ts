import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const argon2Async = promisify(argon2);

/** Argon2id cost parameters (RFC 9106 names). */
export interface Argon2idParameters {
  /** Memory in KiB. */
  readonly memoryKiB: number;
  /** Passes over memory (t). */
  readonly passes: number;
  /** Lanes (p). */
  readonly parallelism: number;
}

/**
 * OWASP Password Storage Cheat Sheet, first of its equivalent argon2id settings: 19 MiB,
 * two passes, one lane. About 25-60 ms per hash on a server core.
 */
export const OWASP_ARGON2ID: Argon2idParameters = { memoryKiB: 19_456, passes: 2, parallelism: 1 };

const SALT_BYTES = 16;
const TAG_BYTES = 32;
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Rules a new password must meet; violations are reported as one message. */
export class PasswordPolicy {
  constructor(
    readonly minLength = 12,
    /** Bounds the hashing work an attacker can ask for; argon2 accepts any length. */
    readonly maxLength = 1024,
  ) {}

  /** The problem with the password, or undefined when it is acceptable. */
  problem(password: string): string | undefined {
    const length = [...password].length;
    if (length < this.minLength) return `a password must have at least ${this.minLength} characters`;
    if (length > this.maxLength) return `a password must have at most ${this.maxLength} characters`;
    if (password.trim() === '') return 'a password must not be only spaces';
    return undefined;
  }
}

/**
 * Hashes passwords with argon2id (Node's built-in `crypto.argon2`, OpenSSL's implementation,
 * run on the libuv thread pool so the event loop keeps serving) and stores them as PHC strings
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), the format other argon2 libraries read.
 */
export class PasswordHasher {
  constructor(readonly parameters: Argon2idParameters = OWASP_ARGON2ID) {
    const { memoryKiB, passes, parallelism } = parameters;
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 255) throw new Error('argon2id parallelism must be 1-255');
    if (!Number.isInteger(passes) || passes < 1) throw new Error('argon2id passes must be >= 1');
    if (!Number.isInteger(memoryKiB) || memoryKiB < 8 * parallelism) throw new Error('argon2id memory must be >= 8 KiB per lane');
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const tag = await derive(password, salt, this.parameters);
    const { memoryKiB: m, passes: t, parallelism: p } = this.parameters;
    return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(tag)}`;
  }

  /** True when `password` matches; false for a wrong password or a hash this hasher cannot read. */
  async verify(phc: string, password: string): Promise<boolean> {
    const parsed = parsePhc(phc);
    if (!parsed) return false;
    const tag = await derive(password, parsed.salt, parsed.parameters, parsed.tag.length);
    return tag.length === parsed.tag.length && timingSafeEqual(tag, parsed.tag);
  }

  /** True when the stored hash was made with other parameters (rehash it at the next login). */
  needsRehash(phc: string): boolean {
    const parsed = parsePhc(phc);
    if (!parsed) return true;
    const { memoryKiB, passes, parallelism } = parsed.parameters;
    return (
      memoryKiB !== this.parameters.memoryKiB ||
      passes !== this.parameters.passes ||
      parallelism !== this.parameters.parallelism ||
      parsed.tag.length !== TAG_BYTES ||
      parsed.salt.length < SALT_BYTES
    );
  }
}

/** The raw argon2id tag (RFC 9106), exported for the RFC test vector. */
export function argon2idRaw(
  password: string | Buffer,
  salt: Buffer,
  parameters: Argon2idParameters,
  tagLength = TAG_BYTES,
  extra: { secret?: Buffer; associatedData?: Buffer } = {},
): Promise<Buffer> {
  return argon2Async('argon2id', {
    message: password,
    nonce: salt,
    parallelism: parameters.parallelism,
    tagLength,
    memory: parameters.memoryKiB,
    passes: parameters.passes,
    ...(extra.secret ? { secret: extra.secret } : {}),
    ...(extra.associatedData ? { associatedData: extra.associatedData } : {}),
  });
}

function derive(password: string, salt: Buffer, parameters: Argon2idParameters, tagLength = TAG_BYTES): Promise<Buffer> {
  return argon2idRaw(password.normalize('NFC'), salt, parameters, tagLength);
}

function parsePhc(phc: string): { parameters: Argon2idParameters; salt: Buffer; tag: Buffer } | undefined {
  const m = PHC.exec(phc);
  if (!m) return undefined;
  const parameters = { memoryKiB: Number(m[1]), passes: Number(m[2]), parallelism: Number(m[3]) };
  // Refuses absurd costs from a tampered row rather than allocating gigabytes.
  if (parameters.memoryKiB > 4 * 1024 * 1024 || parameters.passes > 64 || parameters.parallelism > 255) return undefined;
  return { parameters, salt: Buffer.from(m[4]!, 'base64'), tag: Buffer.from(m[5]!, 'base64') };
}

/** PHC strings use standard base64 without padding. */
function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
