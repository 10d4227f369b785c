export { MetricsProcessor } from './metrics-processor.js';
export type { MetricsProcessorOptions } from './metrics-processor.js';
export { bufferBySize } from './buffer-by-size.js';
export { appendRecords } from './record-appender.js';
export { startStoreThread } from './store-thread.js';
