export { CollectorModule } from './collector.module.js';
