import { describe, expect, it } from 'vitest';
import { describeMetadataConformance } from '../conformance/metadata.conformance.js';
import { InvalidRecordError } from './errors.js';
import { parseMetadataUrl, redactMetadataUrl } from './metadata-url.js';
import { CallQueue } from './serialized.js';

// The whole conformance suite on in-memory SQLite (each open is a new database, so the
// reopen tests run on files and PostgreSQL in tests/metadata-*.test.ts).
describeMetadataConformance('sqlite in memory', {
  freshDatabase: async () => 'sqlite://:memory:',
  skip: ['reopening and re-running migrations applies nothing', 'processes opening an empty database together migrate it once'],
});

describe('parseMetadataUrl', () => {
  it('reads SQLite paths, memory, the data_dir default and PostgreSQL URLs', () => {
    expect(parseMetadataUrl('', '/var/lib/pharos')).toEqual({ dialect: 'sqlite', path: '/var/lib/pharos/metadata.db' });
    expect(parseMetadataUrl('sqlite://./data/metadata.db')).toEqual({ dialect: 'sqlite', path: 'data/metadata.db' });
    expect(parseMetadataUrl('sqlite:///abs/meta.db')).toEqual({ dialect: 'sqlite', path: '/abs/meta.db' });
    expect(parseMetadataUrl('sqlite://:memory:')).toEqual({ dialect: 'sqlite', path: ':memory:' });
    expect(parseMetadataUrl('postgres://u:p@db:5432/pharos?sslmode=require')).toEqual({ dialect: 'postgres', url: 'postgres://u:p@db:5432/pharos?sslmode=require' });
    expect(parseMetadataUrl('postgresql://db/pharos').dialect).toBe('postgres');
  });

  it('refuses other schemes and incomplete URLs without echoing the password', () => {
    expect(() => parseMetadataUrl('mysql://u:secret@db/x')).toThrow(InvalidRecordError);
    expect(() => parseMetadataUrl('sqlite://')).toThrow(/file path/);
    expect(() => parseMetadataUrl('postgres://u:secret@db')).toThrow(/expected postgres:\/\/user:password@host:port\/database/);
    expect(() => parseMetadataUrl('postgres://u:secret@db')).not.toThrow(/secret/);
    expect(redactMetadataUrl('postgres://u:secret@db:5432/x')).toBe('postgres://u:***@db:5432/x');
  });
});

describe('CallQueue', () => {
  it('runs calls one at a time in order and keeps going after a failure', async () => {
    const queue = new CallQueue();
    const log: string[] = [];
    const step = (name: string, fail = false) =>
      queue.run(async () => {
        log.push(`${name} start`);
        await new Promise((r) => setTimeout(r, 5));
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([step('a'), step('b', true), step('c')]);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
