/**
 * Which sealed segments to delete. First those every group that ever committed on the topic
 * has consumed; then, whatever the groups say, those beyond the age and size caps — the disk
 * must never fill up because a consumer stopped — reporting each group that lost records.
 */
import type { OffsetStore } from './offset-store.js';
import type { EmbeddedStreamEvents, SegmentDeleteReason } from './options.js';
import { emitEvent } from './events.js';
import type { PartitionLog } from './partition-log.js';

export interface RetentionLimits {
  readonly maxBytesPerPartition: number;
  readonly maxAgeMs: number;
}

/** A group with live members but no commit on the topic yet, and where it started reading. */
export interface LiveGroup {
  readonly group: string;
  startOf(partition: number): number | undefined;
}

export async function enforceRetention(
  topic: string,
  log: PartitionLog,
  offsets: OffsetStore,
  liveGroups: readonly LiveGroup[],
  limits: RetentionLimits,
  events: EmbeddedStreamEvents,
  now: number,
): Promise<void> {
  const groups: Array<{ group: string; offsets: ReadonlyMap<number, number> }> = offsets.groupsOf(topic);
  for (const g of liveGroups) {
    // A live group that has not committed yet still needs what it is about to read.
    if (groups.some((x) => x.group === g.group)) continue;
    const start = g.startOf(log.partition);
    groups.push({ group: g.group, offsets: new Map(start === undefined ? [] : [[log.partition, start]]) });
  }
  const committedOf = (offsetsOfGroup: ReadonlyMap<number, number>) => offsetsOfGroup.get(log.partition) ?? log.startOffset;
  const report = (deleted: Array<{ seg: { baseOffset: number; size: number }; endOffset: number }>, reason: SegmentDeleteReason) => {
    for (const { seg, endOffset } of deleted) {
      emitEvent(events, 'onSegmentDeleted', {
        topic,
        partition: log.partition,
        baseOffset: seg.baseOffset,
        endOffset,
        bytes: seg.size,
        reason,
      });
    }
  };

  if (groups.length > 0) {
    const min = Math.min(...groups.map((g) => committedOf(g.offsets)));
    report(await log.deleteOldest((_, end) => end <= min), 'committed');
  }

  const startBefore = log.startOffset;
  const committedBefore = groups.map((g) => ({ group: g.group, committed: committedOf(g.offsets) }));
  const aged = await log.deleteOldest((seg) => seg.maxTimestamp < now - limits.maxAgeMs);
  report(aged, 'retention-age');
  let bytes = log.bytesOnDisk;
  const oversized = await log.deleteOldest((seg) => {
    if (bytes <= limits.maxBytesPerPartition) return false;
    bytes -= seg.size;
    return true;
  });
  report(oversized, 'retention-bytes');

  const droppedUpTo = log.startOffset;
  if (droppedUpTo === startBefore) return;
  const reason = oversized.length > 0 ? 'retention-bytes' : 'retention-age';
  for (const { group, committed } of committedBefore) {
    if (committed < droppedUpTo) {
      emitEvent(events, 'onRetentionDrop', { topic, partition: log.partition, group, committedOffset: committed, droppedUpTo, reason });
    }
  }
}
