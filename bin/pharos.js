#!/usr/bin/env node
// The `pharos` command. It runs the compiled platform in dist/ (built by `npm run build`,
// which `npm start` and `npm test` do first).
import { existsSync } from 'node:fs';

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
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
