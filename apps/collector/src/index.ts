export { CollectorModule } from './collector.module.js';
export { METRIC_INGESTOR } from './collector.tokens.js';
