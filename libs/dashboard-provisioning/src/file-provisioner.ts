import { readProvisioningFolder, type FileProblem } from './folder-reader.js';
import { FileDashboardSync, type FileSyncReport } from './file-sync.js';
import type { ProvisioningStore } from './provenance.js';

export interface FileProvisionerOptions {
  /** `dashboards.provisioning.path`. */
  readonly path: string;
  /** `dashboards.provisioning.interval`; 0 reads the folder only at start. */
  readonly intervalMs: number;
  readonly allowRemoval: boolean;
  /** Tenant of files that name none. */
  readonly defaultTenant: string;
  /**
   * Every failed file (and an unreadable folder), in every pass, so a counter of them keeps
   * rising while a file stays broken; `repeated` is true when the previous pass reported the
   * same path with the same reason (log it once, count it every time).
   */
  readonly onProblem: (problem: FileProblem, repeated: boolean) => void;
  readonly onPass?: (report: FileSyncReport) => void;
  readonly onWarning?: (path: string, warning: string) => void;
}

/**
 * Grafana-style file provisioning: reads the folder at start and again every interval, and
 * applies it to the store ({@link FileDashboardSync}). A pass never throws: an unreadable
 * folder or a failing store is a problem of that pass, and the next pass tries again.
 */
export class FileProvisioner {
  private readonly sync: FileDashboardSync;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  /** Problems already reported with the same reason, so an unchanged bad file is logged once, not every pass. */
  private reported = new Map<string, string>();
  /** Checksum of each file whose conversion warnings were logged. */
  private warned = new Map<string, string>();

  constructor(
    store: ProvisioningStore,
    private readonly o: FileProvisionerOptions,
  ) {
    this.sync = new FileDashboardSync(store, { allowRemoval: o.allowRemoval });
  }

  /** One pass now; resolves with what it did (problems included). */
  async runOnce(): Promise<FileSyncReport> {
    let report: FileSyncReport;
    try {
      const scan = await readProvisioningFolder(this.o.path, this.o.defaultTenant);
      const warned = new Map<string, string>();
      for (const file of scan.files) {
        if (file.warnings.length === 0) continue;
        if (this.warned.get(file.path) !== file.checksum) for (const w of file.warnings) this.o.onWarning?.(file.path, w);
        warned.set(file.path, file.checksum);
      }
      this.warned = warned;
      report = await this.sync.apply(scan);
    } catch (err) {
      report = { created: [], updated: [], removed: [], unchanged: 0, problems: [{ path: this.o.path, reason: `cannot provision dashboards from the folder: ${(err as Error).message}` }] };
    }
    const now = new Map<string, string>();
    for (const p of report.problems) {
      now.set(p.path, p.reason);
      this.o.onProblem(p, this.reported.get(p.path) === p.reason);
    }
    this.reported = now;
    this.o.onPass?.(report);
    return report;
  }

  /** First pass (awaited), then one every interval. */
  async start(): Promise<FileSyncReport> {
    const first = await this.runOnce();
    if (this.o.intervalMs > 0 && !this.stopped) {
      this.timer = setInterval(() => {
        this.running ??= this.runOnce().finally(() => (this.running = undefined));
      }, this.o.intervalMs);
      this.timer.unref();
    }
    return first;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
