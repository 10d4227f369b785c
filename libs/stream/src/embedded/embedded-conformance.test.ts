import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { describeStreamConformance } from '../../conformance/stream.conformance.js';
import { EmbeddedStream } from './embedded-stream.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pharos-stream-conf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// One directory for the whole suite, like one broker: names are unique per test, and reopening
// the directory is the restart the suite asks for.
describeStreamConformance('embedded', {
  open: () => EmbeddedStream.open({ dir }),
  testTimeoutMs: 20_000,
  waitTimeoutMs: 5_000,
});
