import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReferenceMarkdown } from '#pharos/config';

describe('README configuration reference', () => {
  it('matches the schema (regenerate with `npm run docs`)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = /<!-- config-reference:start -->\n([\s\S]*)\n<!-- config-reference:end -->/.exec(readme)?.[1];
    expect(section).toBe(configReferenceMarkdown());
  });
});
