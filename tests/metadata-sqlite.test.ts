/**
 * The metadata store's conformance suite on SQLite (better-sqlite3), the embedded default, in
 * files under a temporary directory, as `pharos start` uses it; then the identity flows over it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeIdentityFlows } from '../libs/identity/conformance/identity.conformance.js';
import { describeMetadataConformance } from '../libs/metadata/conformance/metadata.conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'pharos-metadata-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeMetadataConformance('sqlite', {
  freshDatabase: async () => `sqlite://${join(dir, `metadata-${n++}.db`)}`,
  // One SQLite file is meant for one process: better-sqlite3 waits for a lock synchronously,
  // so three connections migrating at once from one event loop would block each other.
  skip: ['processes opening an empty database together migrate it once'],
});

describeIdentityFlows('sqlite file', async () => `sqlite://${join(dir, `identity-${n++}.db`)}`);
