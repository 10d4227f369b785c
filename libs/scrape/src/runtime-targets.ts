import { mkdirSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkAddress, type TargetGroup } from './scrape-config.js';

/** Static targets added through the API for a job; they survive restarts. */
export interface RuntimeTargetGroup {
  readonly tenant: string;
  readonly job: string;
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

interface StoreFile {
  readonly version: 1;
  readonly groups: readonly RuntimeTargetGroup[];
}

/**
 * The runtime target list, persisted as one JSON file in the data directory. Writes go to a
 * temporary file that is fsynced and renamed over the old one, so a crash leaves either the
 * old or the new list, never half of one.
 */
export class RuntimeTargetStore {
  private groups: RuntimeTargetGroup[];
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {
    this.groups = load(file);
  }

  all(): readonly RuntimeTargetGroup[] {
    return this.groups;
  }

  groupsFor(job: string): TargetGroup[] {
    return this.groups
      .filter((g) => g.job === job)
      .map((g, i) => ({ source: `api/${job}/${i}`, targets: g.targets.map((t) => ({ __address__: t })), labels: g.labels }));
  }

  /** Adds targets with labels to a job; a target already listed with the same labels is not repeated. */
  async add(group: RuntimeTargetGroup): Promise<void> {
    for (const t of group.targets) checkAddress(t, `target ${JSON.stringify(t)}`);
    const same = this.groups.find((g) => g.job === group.job && g.tenant === group.tenant && sameLabels(g.labels, group.labels));
    if (same) {
      const merged = { ...same, targets: [...new Set([...same.targets, ...group.targets])] };
      this.groups = this.groups.map((g) => (g === same ? merged : g));
    } else {
      this.groups = [...this.groups, { ...group, targets: [...new Set(group.targets)] }];
    }
    await this.persist();
  }

  /** Removes the given targets of a job (all of them when `targets` is undefined); returns how many went. */
  async remove(tenant: string, job: string, targets: readonly string[] | undefined): Promise<number> {
    let removed = 0;
    const next: RuntimeTargetGroup[] = [];
    for (const g of this.groups) {
      if (g.job !== job || g.tenant !== tenant) {
        next.push(g);
        continue;
      }
      const keep = targets === undefined ? [] : g.targets.filter((t) => !targets.includes(t));
      removed += g.targets.length - keep.length;
      if (keep.length > 0) next.push({ ...g, targets: keep });
    }
    this.groups = next;
    if (removed > 0) await this.persist();
    return removed;
  }

  private persist(): Promise<void> {
    const text = JSON.stringify({ version: 1, groups: this.groups } satisfies StoreFile, null, 2) + '\n';
    this.writing = this.writing.then(async () => {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
    });
    return this.writing;
  }
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function load(file: string): RuntimeTargetGroup[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read the runtime targets file ${file}: ${(err as Error).message}`);
  }
  const doc = JSON.parse(text) as Partial<StoreFile>;
  if (doc.version !== 1 || !Array.isArray(doc.groups)) throw new Error(`${file}: not a Pharos runtime targets file (version 1)`);
  return doc.groups.map((g) => ({ tenant: String(g.tenant), job: String(g.job), targets: g.targets.map(String), labels: { ...g.labels } }));
}
