export type { FieldValue, LineError, Point, Precision } from './line-protocol.js';
export { parseLineProtocol, parsePrecision, timestampToMs } from './line-protocol.js';
export type { InfluxWriteOptions, InfluxWriteResult } from './to-batch.js';
export { lineProtocolToBatch, sanitizeLabelName, sanitizeMetricName } from './to-batch.js';
