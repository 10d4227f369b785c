import { isAbsolute, join } from 'node:path';
import { InvalidRecordError } from './errors.js';

/** Where the metadata lives, parsed from `metadata.url`. */
export type MetadataLocation =
  | { readonly dialect: 'sqlite'; readonly path: string }
  | { readonly dialect: 'postgres'; readonly url: string };

/**
 * Parses `metadata.url`:
 * - empty: `<dataDir>/metadata.db` (SQLite, the embedded default);
 * - `sqlite://<path>` (`sqlite://./data/metadata.db`, `sqlite:///var/lib/pharos/metadata.db`),
 *   `sqlite://:memory:` for a store that lives as long as the process;
 * - `postgres://user:password@host:port/database` (or `postgresql://`), with node-postgres
 *   query parameters such as `sslmode`.
 */
export function parseMetadataUrl(url: string, dataDir = './data'): MetadataLocation {
  const trimmed = url.trim();
  if (trimmed === '') return { dialect: 'sqlite', path: join(dataDir, 'metadata.db') };
  if (trimmed.startsWith('sqlite://') || trimmed.startsWith('sqlite:')) {
    const path = trimmed.slice(trimmed.startsWith('sqlite://') ? 'sqlite://'.length : 'sqlite:'.length);
    if (path === '') throw new InvalidRecordError(`metadata.url ${JSON.stringify(url)}: expected a file path after sqlite://`);
    return { dialect: 'sqlite', path: path === ':memory:' || isAbsolute(path) ? path : join('.', path) };
  }
  if (/^postgres(ql)?:\/\//.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw new InvalidRecordError(`metadata.url is not a valid URL: ${redactMetadataUrl(trimmed)}`);
    }
    if (parsed.hostname === '' || parsed.pathname.length <= 1) {
      throw new InvalidRecordError(`metadata.url ${redactMetadataUrl(trimmed)}: expected postgres://user:password@host:port/database`);
    }
    return { dialect: 'postgres', url: trimmed };
  }
  throw new InvalidRecordError(
    `metadata.url ${JSON.stringify(redactMetadataUrl(trimmed))}: expected sqlite://<path> or postgres://user:password@host:port/database`,
  );
}

/** The URL with its password replaced, for logs and error messages. */
export function redactMetadataUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
