/**
 * The partition for a key, shared by every adapter so that switching adapters keeps a
 * series on one partition. Keys are `tenant/series-key`; 32-bit FNV-1a is stable and cheap.
 */
export function partitionForKey(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h >>> 0) % partitions;
}
