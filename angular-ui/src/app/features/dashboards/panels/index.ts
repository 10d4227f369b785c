/**
 * The dashboard panel renderers other than time series, and the pure logic behind them, for
 * the dashboard page. Every renderer takes `data: PanelData` (except text), the panel's
 * `options` and `fieldConfig`, sizes itself to its container and emits `painted`.
 */
export { BarPanelView } from './bar-panel';
export { GaugePanelView } from './gauge-panel';
export { HeatmapPanelView } from './heatmap-panel';
export { PiePanelView } from './pie-panel';
export { StatPanelView } from './stat-panel';
export { TablePanelView } from './table-panel';
export { TextPanelView } from './text-panel';

export type { PanelData, PanelGrid, PanelSeries } from './panel-data';
export { stepTime } from './panel-data';
export { reduceAll, reduceSeries, type ReducedValue } from './reduce';
export { thresholdBands, thresholdColor, type ThresholdBand } from './thresholds';
export { HeatmapDataError, buildHeatmap, heatmapFromBuckets, heatmapFromSeries, type HeatmapMatrix } from './heatmap-buckets';
export { buildTable, nextSort, sortTable, type PanelTable, type SortDirection, type TableColumn, type TableRow, type TableSort } from './table-rows';
export { renderMarkdown, type MarkdownOptions } from './markdown';
export { SERIES_PALETTE, seriesColor } from '../../../shared/chart/palette';
