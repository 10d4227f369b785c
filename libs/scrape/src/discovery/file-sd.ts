import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ScrapeConfigError } from '../errors.js';
import { parseTargetGroup, type FileSdConfig, type TargetGroup } from '../scrape-config.js';
import type { DiscoveryErrorSink, DiscoveryProvider } from './provider.js';

/**
 * `file_sd_configs`: reads JSON or YAML lists of target groups from files (globs allowed in
 * the last path component), re-reads them when their directory changes and every
 * `refresh_interval`, and adds `__meta_filepath`. A file that cannot be read or parsed keeps
 * its previous groups (as Prometheus does) and the problem is reported.
 */
export class FileDiscovery implements DiscoveryProvider {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private lastByFile = new Map<string, readonly TargetGroup[]>();
  private stopped = false;
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly config: FileSdConfig,
    private readonly onError: DiscoveryErrorSink,
  ) {}

  start(onUpdate: (groups: readonly TargetGroup[]) => void): void {
    const refresh = (): void => {
      if (this.stopped) return;
      if (this.refreshing) {
        this.again = true;
        return;
      }
      this.refreshing = this.refresh(onUpdate).finally(() => {
        this.refreshing = undefined;
        if (this.again) {
          this.again = false;
          refresh();
        }
      });
    };
    for (const dir of new Set(this.config.files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, () => {
          // Editors write in several steps: wait for the burst to settle.
          if (this.debounce) clearTimeout(this.debounce);
          this.debounce = setTimeout(refresh, 50);
        });
        w.on('error', (err) => this.onError(`file_sd: watching ${dir} failed`, err));
        this.watchers.push(w);
      } catch (err) {
        this.onError(`file_sd: cannot watch ${dir}; relying on refresh_interval`, err);
      }
    }
    this.timer = setInterval(refresh, this.config.refreshIntervalMs);
    this.timer.unref();
    refresh();
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
  }

  /** Waits for a refresh in flight (tests). */
  async settled(): Promise<void> {
    while (this.refreshing) await this.refreshing;
  }

  private async refresh(onUpdate: (groups: readonly TargetGroup[]) => void): Promise<void> {
    const files = await this.listFiles();
    const next = new Map<string, readonly TargetGroup[]>();
    for (const file of files) {
      try {
        next.set(file, await readGroups(file));
      } catch (err) {
        this.onError(`file_sd: ${err instanceof Error ? err.message : String(err)}`);
        const previous = this.lastByFile.get(file);
        if (previous) next.set(file, previous);
      }
    }
    if (this.stopped) return;
    this.lastByFile = next;
    onUpdate([...next.values()].flat());
  }

  private async listFiles(): Promise<string[]> {
    const out = new Set<string>();
    for (const pattern of this.config.files) {
      const dir = dirname(pattern);
      const base = basename(pattern);
      if (!/[*?[]/.test(base)) {
        out.add(pattern);
        continue;
      }
      const re = globToRegExp(base);
      try {
        for (const name of await readdir(dir)) if (re.test(name)) out.add(join(dir, name));
      } catch (err) {
        this.onError(`file_sd: cannot list ${dir}`, err);
      }
    }
    return [...out].sort();
  }
}

async function readGroups(file: string): Promise<TargetGroup[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    // A listed file that does not exist (yet) has no targets.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new Error(`${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) throw new Error(`${file}: expected a list of target groups`);
  try {
    return doc.map((g, i) => {
      const group = parseTargetGroup(g, `${file}:${i}`, `${file}[${i}]`);
      return { ...group, labels: { ...group.labels, __meta_filepath: file } };
    });
  } catch (err) {
    if (err instanceof ScrapeConfigError) throw new Error(err.message);
    throw err;
  }
}

/** Go's `filepath.Match` pattern for one path component, as a RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('^')) body = '^' + body.slice(1).replace(/[\\\]]/g, '\\$&');
      else body = body.replace(/[\\\]]/g, '\\$&');
      re += `[${body}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) {
      re += glob[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(re + '$');
}
