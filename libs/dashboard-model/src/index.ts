export {
  DASHBOARD_SCHEMA_VERSION,
  GRID_COLUMNS,
  GRID_ROW_PX,
  PANEL_TYPES,
  STAT_REDUCERS,
  DEFAULT_FIELD_CONFIG,
  DEFAULT_PANEL_OPTIONS,
  DashboardModelError,
  emptyDashboard,
  newPanel,
  parseDashboardModel,
  serializeDashboardModel,
} from './dashboard-model.js';
export type {
  BarOptions,
  BarPanel,
  CustomVariable,
  DashboardModel,
  DashboardTime,
  DashboardVariable,
  FieldConfig,
  GaugeOptions,
  GaugePanel,
  GridPos,
  HeatmapOptions,
  HeatmapPanel,
  IntervalVariable,
  Panel,
  PanelOptionsByType,
  PanelTarget,
  PanelType,
  PieOptions,
  PiePanel,
  QueryVariable,
  StatOptions,
  StatPanel,
  StatReducer,
  TableOptions,
  TablePanel,
  TextOptions,
  TextPanel,
  Threshold,
  TimeseriesOptions,
  TimeseriesPanel,
} from './dashboard-model.js';
export {
  ALL_VALUE,
  VARIABLE_FORMATS,
  VariableCycleError,
  interpolate,
  referencedVariables,
  resolveCurrent,
  scopeVariable,
  variableDependencies,
} from './variables.js';
export type { DefaultFormat, InterpolationScope, ScopeContext, ScopeVariable, VariableDependencies, VariableFormat, VariableOption } from './variables.js';
export {
  DEFAULT_SCRAPE_INTERVAL_MS,
  DurationError,
  autoInterval,
  formatDurationMs,
  parseDurationMs,
  rateIntervalMs,
  roundInterval,
} from './intervals.js';
export type { AutoInterval } from './intervals.js';
export { VariableQueryError, applyRegexAndSort, optionsFromQueryResult, parseVariableQuery, sortOptions, variableRegex } from './variable-queries.js';
export type { InstantQueryData, VariableQuery } from './variable-queries.js';
export { GRAFANA_SCHEMA_MAX, GRAFANA_SCHEMA_MIN, GrafanaImportError, convertGrafanaDashboard } from './grafana-import.js';
export type { GrafanaImport, ImportWarning } from './grafana-import.js';
