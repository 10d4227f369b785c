export { WILDCARD, maskToken, maskTokens, maskDates } from './masker.js';
export { SAME, SOFT, HARD, compareTokens, generaliseToken, globMatches, siblingDifference } from './tokens.js';
export type { MinerOptions, MinerState, PatternState, PatternInfo } from './miner.js';
export { PatternMiner, DEFAULT_MINER_OPTIONS } from './miner.js';
export type { ParsingScores } from './metrics.js';
export { groupingAccuracy, pairwiseF1, parsingAccuracy, scoreParsing } from './metrics.js';
export { parseCsv, parseCsvColumns } from './csv.js';
export type { LoghubSystem, GroupKey, GroundTruth, LogParser, SystemResult, LoghubReport } from './loghub.js';
export {
  listLoghubSystems,
  loadLoghubSystem,
  scoreSystem,
  evaluateLoghub,
  STRUCTURED_SUFFIX,
  ORIGINAL_STRUCTURED_SUFFIX,
  DRAIN_PUBLISHED_GA,
  DRAIN_PUBLISHED_MEAN_GA,
  BRAIN_PUBLISHED_MEAN_GA,
} from './loghub.js';
