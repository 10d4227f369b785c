import { randomBytes } from 'node:crypto';
import { randomToken } from './tokens.js';

/**
 * API keys look like `phk_<prefix>_<secret>`: `phk_` makes them recognisable (secret scanners,
 * logs), the 12-hex-digit prefix is the public lookup handle stored in clear, the secret is
 * 256 random bits (base64url). Only SHA-256 of the whole key is stored.
 */
export const API_KEY_PREFIX = 'phk_';
const PREFIX_HEX = 12;
const API_KEY = /^phk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function newApiKey(): { readonly key: string; readonly prefix: string } {
  const prefix = randomBytes(PREFIX_HEX / 2).toString('hex');
  return { key: `${API_KEY_PREFIX}${prefix}_${randomToken(32)}`, prefix };
}

/** The lookup prefix of a well-formed key, else undefined. */
export function apiKeyPrefixOf(key: string): string | undefined {
  return API_KEY.exec(key)?.[1];
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}
