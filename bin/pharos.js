#!/usr/bin/env node
// The `pharos` command. It runs the compiled platform in dist/ (built by `npm run build`,
// which `npm start` and `npm test` do first).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

const entry = new URL('../dist/apps/pharos/src/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('pharos: not built yet: run `npm run build` (or `npm start`) in the repository first\n');
  process.exit(1);
}
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`pharos: needs Node.js 24 or later, this is ${process.version}; run it through npm (npm start, npx pharos) to use the project's own Node\n`);
  process.exit(1);
}
// Count ArrayBuffer memory (request bodies, snappy output, stream frames) in V8's one global
// heap limit instead of its separate external-memory trigger, which otherwise starts a major
// GC every few MB of bodies: write-path CPU per stored sample 1.79 → 1.33 µs, peak RSS ~15 %
// higher (bench/RESULTS.md, 2026-11-27 08:41; docs/adr/0003). Set here, before anything
// allocates, as it is process-wide; `--no-external-memory-accounted-in-global-limit` in
// NODE_OPTIONS or on the command line keeps V8's default.
const gcFlag = 'external-memory-accounted-in-global-limit';
if (![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes(gcFlag))) setFlagsFromString(`--${gcFlag}`);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
