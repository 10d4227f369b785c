export type {
  Stream,
  StreamProducer,
  ProducerRecord,
  ProduceAck,
  ConsumerOptions,
  StreamRecord,
  RecordBatch,
  PartitionAssignment,
  StreamConsumer,
  PartitionLag,
} from './port.js';
export { partitionForKey } from './partitioner.js';
export { KafkaStream } from './kafka/kafka-stream.js';
export type { KafkaStreamOptions } from './kafka/kafka-stream.js';
export { parseKafkaUrl } from './kafka/kafka-url.js';
export type { KafkaUrl } from './kafka/kafka-url.js';
export type { KafkaLogEntry, KafkaLogLevel, KafkaLogSink } from './kafka/kafka-log.js';
export { EmbeddedStream } from './embedded/embedded-stream.js';
export type { PartitionDiskUsage } from './embedded/embedded-stream.js';
export type {
  EmbeddedStreamEvents,
  EmbeddedStreamOptions,
  FsyncPolicy,
  RetentionDrop,
  RetentionOptions,
  SegmentDeleteReason,
} from './embedded/options.js';
export type { SyncFile } from './embedded/files.js';
