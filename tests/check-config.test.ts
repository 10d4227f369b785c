import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './support/pharos-process.js';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;

describe('pharos check-config', () => {
  it('prints the effective configuration without secrets: key hashes, the admin password, URL passwords', async () => {
    const dir = tempDir('check-config');
    try {
      const file = join(dir, 'pharos.yaml');
      const hash = 'a'.repeat(64);
      writeFileSync(
        file,
        [
          'metadata:',
          '  url: postgres://pharos:s3cret-db@db.example:5432/pharos',
          'auth:',
          '  enabled: true',
          '  keys:',
          `    - { name: ci, tenants: [team-a], token_sha256: ${hash} }`,
          '',
        ].join('\n'),
      );
      const { stdout } = await run(process.execPath, [join(ROOT, 'bin/pharos.js'), 'check-config', '--config', file], {
        cwd: ROOT,
        env: { ...process.env, PHAROS_ADMIN_PASSWORD: 'first-Admin-pw-42' },
      });
      expect(stdout).toContain('configuration is valid');
      const printed = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { metadata: { url: string }; auth: { enabled: boolean; keys: Array<{ name: string }>; initialAdminPassword: string } };
      expect(printed.auth.enabled).toBe(true);
      expect(printed.auth.keys.map((k) => k.name)).toEqual(['ci']);
      expect(printed.metadata.url).toBe('postgres://pharos:redacted@db.example:5432/pharos');
      expect(printed.auth.initialAdminPassword).toBe('<redacted>');
      for (const secret of [hash, 's3cret-db', 'first-Admin-pw-42']) expect(stdout).not.toContain(secret);
    } finally {
      removeDir(dir);
    }
  });

  it('refuses an invalid configuration naming the key', async () => {
    const dir = tempDir('check-config');
    try {
      const file = join(dir, 'pharos.yaml');
      writeFileSync(file, 'metadata:\n  url: mysql://nope\n');
      const failed = await run(process.execPath, [join(ROOT, 'bin/pharos.js'), 'check-config', '--config', file], { cwd: ROOT }).then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failed?.code).not.toBe(0);
      expect(failed?.stderr).toContain('metadata.url');
    } finally {
      removeDir(dir);
    }
  });
});
