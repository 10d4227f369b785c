import { readFileSync } from 'node:fs';
import { ScrapeConfigError } from './errors.js';

/** The HTTP client part of a scrape or SD configuration (Prometheus' common `HTTPClientConfig`). */
export interface HttpClientConfig {
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** `Authorization` header value, e.g. `Bearer abc`. */
  readonly authorization?: string;
  readonly tls: TlsConfig;
  readonly followRedirects: boolean;
}

export interface TlsConfig {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify: boolean;
  readonly minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

export const HTTP_CLIENT_KEYS = ['basic_auth', 'authorization', 'bearer_token', 'bearer_token_file', 'tls_config', 'follow_redirects', 'enable_http2', 'proxy_url', 'oauth2', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header', 'http_headers'];

const TLS_VERSIONS: Readonly<Record<string, TlsConfig['minVersion']>> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

type Raw = Record<string, unknown>;

function mapping(v: unknown, where: string): Raw {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ScrapeConfigError(`${where}: expected a mapping`);
  return v as Raw;
}

function optString(r: Raw, key: string, where: string): string | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ScrapeConfigError(`${where}.${key}: expected a string`);
  return v;
}

/** Reads a secret given inline or as `<key>_file` (read now; a reload reads it again). */
function secret(r: Raw, key: string, where: string): string | undefined {
  const inline = optString(r, key, where);
  const file = optString(r, `${key}_file`, where);
  if (inline !== undefined && file !== undefined) throw new ScrapeConfigError(`${where}: at most one of ${key} and ${key}_file may be set`);
  if (file === undefined) return inline;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ScrapeConfigError(`${where}.${key}_file: cannot read ${file}: ${(err as Error).message}`);
  }
}

function checkKeys(r: Raw, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(r)) if (!allowed.includes(k)) throw new ScrapeConfigError(`${where}: unknown key "${k}"`);
}

/** Parses the HTTP client keys of `r` (the other keys are the caller's). */
export function parseHttpClientConfig(r: Raw, where: string): HttpClientConfig {
  for (const unsupported of ['proxy_url', 'oauth2', 'proxy_from_environment', 'proxy_connect_header', 'http_headers', 'no_proxy']) {
    if (r[unsupported] !== undefined) throw new ScrapeConfigError(`${where}.${unsupported}: not supported by Pharos`);
  }
  let basicAuth: HttpClientConfig['basicAuth'];
  if (r['basic_auth'] !== undefined && r['basic_auth'] !== null) {
    const b = mapping(r['basic_auth'], `${where}.basic_auth`);
    checkKeys(b, ['username', 'username_file', 'password', 'password_file'], `${where}.basic_auth`);
    basicAuth = { username: secret(b, 'username', `${where}.basic_auth`) ?? '', password: secret(b, 'password', `${where}.basic_auth`) ?? '' };
  }
  let authorization: string | undefined;
  if (r['authorization'] !== undefined && r['authorization'] !== null) {
    const a = mapping(r['authorization'], `${where}.authorization`);
    checkKeys(a, ['type', 'credentials', 'credentials_file'], `${where}.authorization`);
    const type = optString(a, 'type', `${where}.authorization`) ?? 'Bearer';
    if (type.toLowerCase() === 'basic') throw new ScrapeConfigError(`${where}.authorization.type: authorization type cannot be set to "basic", use "basic_auth" instead`);
    const credentials = secret(a, 'credentials', `${where}.authorization`) ?? '';
    authorization = `${type} ${credentials}`;
  }
  const bearer = secret(r, 'bearer_token', where);
  if (bearer !== undefined) {
    if (authorization) throw new ScrapeConfigError(`${where}: at most one of bearer_token, bearer_token_file and authorization may be set`);
    authorization = `Bearer ${bearer}`;
  }
  if (basicAuth && authorization) throw new ScrapeConfigError(`${where}: at most one of basic_auth and authorization may be set`);
  let tls: TlsConfig = { insecureSkipVerify: false };
  if (r['tls_config'] !== undefined && r['tls_config'] !== null) {
    const t = mapping(r['tls_config'], `${where}.tls_config`);
    checkKeys(t, ['ca', 'ca_file', 'cert', 'cert_file', 'key', 'key_file', 'server_name', 'insecure_skip_verify', 'min_version', 'max_version'], `${where}.tls_config`);
    const version = (key: string): TlsConfig['minVersion'] => {
      const v = optString(t, key, `${where}.tls_config`);
      if (v === undefined) return undefined;
      const mapped = TLS_VERSIONS[v];
      if (!mapped) throw new ScrapeConfigError(`${where}.tls_config.${key}: unknown TLS version ${JSON.stringify(v)} (expected TLS10, TLS11, TLS12 or TLS13)`);
      return mapped;
    };
    const skip = t['insecure_skip_verify'];
    if (skip !== undefined && typeof skip !== 'boolean') throw new ScrapeConfigError(`${where}.tls_config.insecure_skip_verify: expected true or false`);
    const ca = secret(t, 'ca', `${where}.tls_config`);
    const cert = secret(t, 'cert', `${where}.tls_config`);
    const key = secret(t, 'key', `${where}.tls_config`);
    if ((cert === undefined) !== (key === undefined)) throw new ScrapeConfigError(`${where}.tls_config: client cert and key must be given together`);
    const serverName = optString(t, 'server_name', `${where}.tls_config`);
    const minVersion = version('min_version');
    const maxVersion = version('max_version');
    tls = {
      insecureSkipVerify: skip === true,
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(serverName !== undefined ? { serverName } : {}),
      ...(minVersion ? { minVersion } : {}),
      ...(maxVersion ? { maxVersion } : {}),
    };
  }
  const follow = r['follow_redirects'];
  if (follow !== undefined && typeof follow !== 'boolean') throw new ScrapeConfigError(`${where}.follow_redirects: expected true or false`);
  return {
    ...(basicAuth ? { basicAuth } : {}),
    ...(authorization ? { authorization } : {}),
    tls,
    followRedirects: follow !== false,
  };
}
