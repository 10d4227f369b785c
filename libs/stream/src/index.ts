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
