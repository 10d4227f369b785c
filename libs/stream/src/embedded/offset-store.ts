/**
 * Committed offsets, one small JSON file per consumer group under `<dir>/groups/`, replaced
 * atomically (temp file, fsync, rename, fsync dir) so a crash leaves the old or the new state.
 * Concurrent commits of one group coalesce: each resolves after a write that includes it.
 */
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './files.js';
import type { SyncFile } from './files.js';

interface GroupFile {
  readonly version: 1;
  readonly group: string;
  readonly offsets: Record<string, Record<string, number>>;
}

class GroupOffsets {
  readonly offsets = new Map<string, Map<number, number>>();
  private version = 0;
  private written = 0;
  private writing: Promise<void> | null = null;

  constructor(
    readonly group: string,
    private readonly path: string,
    private readonly sync: SyncFile | null,
  ) {}

  async commit(topic: string, entries: readonly { partition: number; offset: number }[]): Promise<void> {
    let t = this.offsets.get(topic);
    if (!t) this.offsets.set(topic, (t = new Map()));
    for (const e of entries) t.set(e.partition, e.offset);
    const mine = ++this.version;
    while (this.written < mine) {
      if (this.writing) {
        await this.writing.catch(() => undefined);
        continue;
      }
      this.writing = this.write();
      try {
        await this.writing;
      } finally {
        this.writing = null;
      }
    }
  }

  private async write(): Promise<void> {
    const target = this.version;
    const body: GroupFile = {
      version: 1,
      group: this.group,
      offsets: Object.fromEntries([...this.offsets].map(([topic, m]) => [topic, Object.fromEntries(m)])),
    };
    await writeFileAtomic(this.path, JSON.stringify(body), this.sync);
    this.written = Math.max(this.written, target);
  }

  async settle(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
  }
}

/** Group names are free-form; file names must not be, so they are percent-encoded. */
function fileNameFor(group: string): string {
  return `${encodeURIComponent(group).replace(/\./g, '%2E')}.json`;
}

export class OffsetStore {
  private readonly groups = new Map<string, GroupOffsets>();

  private constructor(
    private readonly dir: string,
    private readonly sync: SyncFile | null,
  ) {}

  static async open(dir: string, sync: SyncFile | null): Promise<OffsetStore> {
    const store = new OffsetStore(dir, sync);
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (name.includes('.tmp-')) {
        // A write that crashed before its rename: the previous file is still the truth.
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (!name.endsWith('.json')) continue;
      const file = JSON.parse(await readFile(path, 'utf8')) as GroupFile;
      const g = new GroupOffsets(file.group, path, sync);
      for (const [topic, parts] of Object.entries(file.offsets)) {
        g.offsets.set(topic, new Map(Object.entries(parts).map(([p, o]) => [Number(p), o])));
      }
      store.groups.set(file.group, g);
    }
    return store;
  }

  committed(group: string, topic: string, partition: number): number | undefined {
    return this.groups.get(group)?.offsets.get(topic)?.get(partition);
  }

  /** Groups that have ever committed on `topic`, with their offsets per partition. */
  groupsOf(topic: string): Array<{ group: string; offsets: ReadonlyMap<number, number> }> {
    const out: Array<{ group: string; offsets: ReadonlyMap<number, number> }> = [];
    for (const g of this.groups.values()) {
      const t = g.offsets.get(topic);
      if (t) out.push({ group: g.group, offsets: t });
    }
    return out;
  }

  commit(group: string, topic: string, entries: readonly { partition: number; offset: number }[]): Promise<void> {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = new GroupOffsets(group, join(this.dir, fileNameFor(group)), this.sync)));
    return g.commit(topic, entries);
  }

  async close(): Promise<void> {
    for (const g of this.groups.values()) await g.settle();
  }
}
