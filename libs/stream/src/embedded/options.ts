import type { SyncFile } from './files.js';

/**
 * When an acknowledged produce becomes safe against power loss. Every policy survives
 * `kill -9` of the process once `produce` has resolved: the bytes are in the OS page cache.
 *
 * - `group` (default): group commit. Concurrent `produce` calls are coalesced into one write
 *   per partition file and one fsync per file; each call resolves only after the fsync that
 *   covers its records. Power-loss window: none for acknowledged records.
 * - `interval`: a call resolves once its write reached the OS; files are fsynced at most every
 *   `fsyncIntervalMs`. Power-loss window: up to `fsyncIntervalMs` of acknowledged records.
 * - `none`: never fsync (tests and throwaway data). Power-loss window: whatever the OS had not
 *   written back; committed offsets and topic metadata are not fsynced either.
 */
export type FsyncPolicy = 'group' | 'interval' | 'none';

export interface RetentionOptions {
  /** Bytes on disk per partition beyond which the oldest segments go (default 4 GiB). */
  readonly maxBytesPerPartition?: number;
  /** Age of a segment's newest record beyond which it goes (default 24 h). */
  readonly maxAgeMs?: number;
  /** How often age-based retention is checked (default 60 s). */
  readonly checkIntervalMs?: number;
}

export interface EmbeddedStreamOptions {
  /** Directory holding topics and committed offsets; created if missing. */
  readonly dir: string;
  readonly fsync?: FsyncPolicy;
  /** Upper bound on the time between fsyncs under the `interval` policy (default 1000). */
  readonly fsyncIntervalMs?: number;
  /** Size at which the active segment of a partition is rolled (default 64 MiB). */
  readonly segmentBytes?: number;
  readonly retention?: RetentionOptions;
  /**
   * Recent records kept in memory per partition so that consumers keeping up never read the
   * files (default 4 MiB). Memory use is this times the number of partitions.
   */
  readonly tailCacheBytesPerPartition?: number;
  readonly events?: EmbeddedStreamEvents;
  /** Replaces `fdatasync`; for tests that observe or delay durability. */
  readonly syncFile?: SyncFile;
}

/** Why a segment was deleted. */
export type SegmentDeleteReason = 'committed' | 'retention-bytes' | 'retention-age';

/** A group lost records it had not committed, because retention deleted them. */
export interface RetentionDrop {
  readonly topic: string;
  readonly partition: number;
  readonly group: string;
  /** The group's committed offset before the drop (the log start if it had none). */
  readonly committedOffset: number;
  /** Records below this offset are gone; the group resumes here. */
  readonly droppedUpTo: number;
  readonly reason: Exclude<SegmentDeleteReason, 'committed'>;
}

/**
 * Hooks for the owner's logs and metrics. They are called synchronously and must not throw
 * (a throwing hook is ignored, so that telemetry never breaks the log).
 */
export interface EmbeddedStreamEvents {
  /** A file was fsynced (after the sync completed, before any acknowledgement it covers). */
  onFsync?(e: { readonly path: string; readonly durationMs: number }): void;
  /** A segment tail was cut on open because it was torn or corrupt. */
  onRecovery?(e: {
    readonly topic: string;
    readonly partition: number;
    readonly path: string;
    readonly validRecords: number;
    readonly truncatedBytes: number;
    readonly reason: string;
  }): void;
  onSegmentDeleted?(e: {
    readonly topic: string;
    readonly partition: number;
    readonly baseOffset: number;
    readonly endOffset: number;
    readonly bytes: number;
    readonly reason: SegmentDeleteReason;
  }): void;
  onRetentionDrop?(e: RetentionDrop): void;
  /** A handler rejected; the batch is delivered again after a backoff. */
  onHandlerError?(e: { readonly group: string; readonly topic: string; readonly partition: number; readonly error: unknown }): void;
  /** A background task (fsync timer, retention, delivery read) failed. */
  onError?(e: { readonly context: string; readonly error: unknown }): void;
}

export interface ResolvedOptions {
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  readonly segmentBytes: number;
  readonly maxBytesPerPartition: number;
  readonly maxAgeMs: number;
  readonly retentionCheckIntervalMs: number;
  readonly tailCacheBytesPerPartition: number;
  readonly syncFile: SyncFile;
}

export const DEFAULTS = {
  fsync: 'group' as FsyncPolicy,
  fsyncIntervalMs: 1000,
  segmentBytes: 64 * 1024 * 1024,
  maxBytesPerPartition: 4 * 1024 * 1024 * 1024,
  maxAgeMs: 24 * 60 * 60 * 1000,
  retentionCheckIntervalMs: 60_000,
  tailCacheBytesPerPartition: 4 * 1024 * 1024,
};
