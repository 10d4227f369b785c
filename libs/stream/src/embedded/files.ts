/** Small file-system helpers for the embedded log: full writes/reads, atomic replace, dir lock. */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** How the log makes written bytes durable; injectable so tests can observe or delay it. */
export type SyncFile = (file: FileHandle) => Promise<void>;

export const defaultSyncFile: SyncFile = (file) => file.datasync();

/** `write()` may write fewer bytes than asked; loop until the whole buffer is at `position`. */
export async function writeFully(file: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.byteLength) {
    const { bytesWritten } = await file.write(buf, done, buf.byteLength - done, position + done);
    if (bytesWritten <= 0) throw new Error('write() wrote no bytes');
    done += bytesWritten;
  }
}

/** Reads up to `length` bytes at `position`; fewer only at end of file. */
export async function readFully(file: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** Makes a directory entry change (create, rename) durable: fsync on the directory itself. */
export async function syncDir(dir: string, sync: SyncFile): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await sync(fh);
  } finally {
    await fh.close();
  }
}

/**
 * Replaces `path` with `data` so that a crash leaves either the old or the new content, never
 * a mix: write a temp file, fsync it, rename over, fsync the directory.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, sync: SyncFile | null): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    if (sync) await sync(fh);
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (sync) await syncDir(dirname(path), sync);
}

const lockedInProcess = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the directory for this process. Two writers on one log would interleave frames and
 * corrupt it, so a second opener fails. A lock left by a killed process (the crash case this
 * log is built for) is taken over: its pid is no longer alive.
 */
export async function lockDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'LOCK');
  if (lockedInProcess.has(path)) throw new Error(`stream directory ${dir} is already open in this process`);
  try {
    const holder = Number.parseInt(await readFile(path, 'utf8'), 10);
    if (Number.isInteger(holder) && holder !== process.pid && pidAlive(holder)) {
      throw new Error(`stream directory ${dir} is in use by process ${holder}`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await writeFile(path, String(process.pid));
  lockedInProcess.add(path);
  return async () => {
    lockedInProcess.delete(path);
    await unlink(path).catch(() => undefined);
  };
}
