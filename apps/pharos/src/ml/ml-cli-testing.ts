import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';

/**
 * Test support for the `pharos ml` commands. The shared datasets sit in `shared/` beside the
 * repository (`PHAROS_DATASETS` overrides); tests fail, rather than skip, when they are missing.
 */
export function datasetDir(name: 'nab' | 'loghub2k'): string {
  return process.env.PHAROS_DATASETS
    ? join(process.env.PHAROS_DATASETS, name)
    : fileURLToPath(new URL(`../../../../../shared/datasets/${name}`, import.meta.url));
}

/** Captures what a command writes; undo with `vi.restoreAllMocks()`. */
export function captureOutput(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  return { out: () => out, err: () => err };
}
