// Regenerates the configuration reference in README.md from the schema (libs/config),
// so the documented keys, defaults and overrides are the ones the code validates.
// A unit test (libs/config/src/readme-sync.test.ts) fails when README.md is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { configReferenceMarkdown } from '../dist/libs/config/src/index.js';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const start = '<!-- config-reference:start -->';
const end = '<!-- config-reference:end -->';
const next = readme.replace(new RegExp(`${start}[\\s\\S]*${end}`), `${start}\n${configReferenceMarkdown()}\n${end}`);
writeFileSync(path, next);
