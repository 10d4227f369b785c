export { SelfScraper } from './self-scraper.js';
export type { SelfMetricsWriter, SelfScraperOptions, SelfScrapeResult } from './self-scraper.js';
export { SelfMonitor } from './self-monitor.js';
export type { SelfMonitorOptions } from './self-monitor.js';
export { selfMonitoringLabels, SELF_MONITORING_JOB, SELF_MONITORING_PROTOCOL } from './target-labels.js';
