export { parseSeriesSelector, PromQLParseError } from './series-selector.js';
export { unquoteStringLiteral } from './string-literal.js';
