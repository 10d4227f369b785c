import { seriesKey, type Labels } from '#pharos/metric-model';
import { unquoteStringLiteral } from '../string-literal.js';
import { PromQLTestSyntaxError, parseDurationMs, parseGoNumber } from './go-syntax.js';
import { parseSeriesDescription, type SequenceValue } from './series-description.js';

/**
 * The promqltest script language of Prometheus 3.16 (`promql/promqltest/README.md` and
 * `test.go`): `load`/`load_with_nhcb`, `clear` and `eval` commands with their expectation
 * lines, parsed line by line as Prometheus' runner parses them. Times are milliseconds from
 * the Unix epoch, where every script starts.
 */

export type PromQLTestCommand = LoadCommand | ClearCommand | EvalCommand;

export interface LoadSeries {
  readonly labels: Labels;
  readonly values: readonly SequenceValue[];
  readonly line: number;
}

export interface LoadCommand {
  readonly kind: 'load';
  readonly line: number;
  readonly intervalMs: number;
  /** `load_with_nhcb`: classic histograms are also loaded as custom-bucket native histograms. */
  readonly withNHCB: boolean;
  /** One entry per series; a series given twice keeps its last definition, as in Prometheus. */
  readonly series: readonly LoadSeries[];
  /** Start-timestamp (`metric@st …`) lines seen; Pharos stores no start timestamps. */
  readonly startTimestampLines: number;
}

export interface ClearCommand {
  readonly kind: 'clear';
  readonly line: number;
}

export type ExpectKind = 'fail' | 'warn' | 'no_warn' | 'info' | 'no_info' | 'ordered';

/** One `expect <kind> [msg|regex: …]` line: an exact message, or a pattern (matching anything when absent). */
export interface ExpectLine {
  readonly message?: string;
  readonly pattern?: RegExp;
}

export interface ExpectedSeries {
  readonly labels: Labels;
  /** 1-based position among the expected series, for ordered results. */
  readonly position: number;
  readonly values: readonly SequenceValue[];
}

export interface EvalCommand {
  readonly kind: 'eval';
  readonly line: number;
  readonly expr: string;
  readonly range: boolean;
  /** Range queries and `expect range vector`: first step, last step (inclusive), step. */
  startMs: number;
  endMs: number;
  stepMs: number;
  /** Instant queries: evaluation time. */
  evalMs: number;
  /** The deprecated `eval_fail`/`eval_warn`/`eval_info`/`eval_ordered` forms. */
  legacyFail: boolean;
  legacyWarn: boolean;
  legacyInfo: boolean;
  legacyOrdered: boolean;
  expectedFailMessage?: string;
  expectedFailRegexp?: RegExp;
  readonly expects: Record<ExpectKind, ExpectLine[]>;
  /** Set by `expect string "…"`. */
  expectedString?: string;
  /** `expect range vector` or `expect string`: not re-checked as a range query. */
  excludeFromRangeQuery: boolean;
  /** The expected result is a scalar (a bare number line). */
  expectScalar?: number;
  /** Expected series by label-set key. */
  readonly expected: Map<string, ExpectedSeries>;
}

const LOAD = /^load(?:_(with_nhcb))?\s+(.+?)$/;
const EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const EVAL_RANGE = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const EXPECT = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;
const EXPECT_RANGE = /^expect range vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/;
const RANGE_VECTOR_PREFIX = 'expect range vector';
const STRING_PREFIX = 'expect string';

/** Parses a whole script; throws {@link PromQLTestSyntaxError} with the line of the first problem. */
export function parsePromQLTestScript(text: string): PromQLTestCommand[] {
  // Lines are trimmed and comment lines blanked, so a comment ends a load or eval block.
  const lines = text.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const commands: PromQLTestCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const word = line.split(/[\t ]+/, 1)[0]!.toLowerCase();
    let next: { command: PromQLTestCommand; last: number };
    if (word === 'clear') next = { command: { kind: 'clear', line: i + 1 }, last: i };
    else if (word.startsWith('load')) next = parseLoad(lines, i);
    else if (word.startsWith('eval')) next = parseEval(lines, i);
    else throw new PromQLTestSyntaxError(i + 1, `invalid command "${line}"`);
    commands.push(next.command);
    i = next.last;
  }
  return commands;
}

function parseLoad(lines: string[], start: number): { command: LoadCommand; last: number } {
  const m = LOAD.exec(lines[start]!);
  if (!m) throw new PromQLTestSyntaxError(start + 1, 'invalid load command. (load[_with_nhcb] <step:duration>)');
  let intervalMs: number;
  try {
    intervalMs = parseDurationMs(m[2]!);
  } catch (err) {
    throw new PromQLTestSyntaxError(start + 1, `invalid step definition "${m[2]}": ${(err as Error).message}`);
  }
  const byKey = new Map<string, LoadSeries>();
  let stLines = 0;
  let pendingST: { key: string; count: number; line: number } | undefined;
  let i = start;
  while (i + 1 < lines.length && lines[i + 1] !== '') {
    i++;
    const def = lines[i]!;
    const firstToken = def.split(/[\t ]/, 1)[0]!;
    if (firstToken.endsWith('@st')) {
      // `metric@st <offsets>`: start timestamps of the next line's samples (3.16, for
      // use-start-timestamps). Checked for shape; Pharos' store has no start timestamps.
      if (pendingST) throw new PromQLTestSyntaxError(pendingST.line, '@st line has no following sample line');
      const metric = seriesOrThrow(`${firstToken.slice(0, -3)} _`, i);
      const count = countSTItems(def.slice(firstToken.length).trim(), i);
      pendingST = { key: seriesKey(metric.labels), count, line: i + 1 };
      stLines++;
      continue;
    }
    const series = seriesOrThrow(def, i);
    const key = seriesKey(series.labels);
    if (pendingST) {
      if (pendingST.key !== key) throw new PromQLTestSyntaxError(pendingST.line, '@st metric does not match the following sample line metric');
      if (pendingST.count !== series.values.length) {
        throw new PromQLTestSyntaxError(pendingST.line, `@st line has ${pendingST.count} values but sample line has ${series.values.length}`);
      }
      pendingST = undefined;
    }
    byKey.set(key, { labels: series.labels, values: series.values, line: i + 1 });
  }
  if (pendingST) throw new PromQLTestSyntaxError(pendingST.line, '@st line has no following sample line');
  return {
    command: { kind: 'load', line: start + 1, intervalMs, withNHCB: m[1] === 'with_nhcb', series: [...byKey.values()], startTimestampLines: stLines },
    last: i,
  };
}

/** Number of positions of an `@st` offset sequence (`_`, `_xN`, `<dur>`, `<dur>xN`, `<dur>±<dur>xN`). */
function countSTItems(text: string, lineIndex: number): number {
  let count = 0;
  for (const item of text.split(/\s+/).filter((s) => s !== '')) {
    const m = /^(?:_|_x(\d+)|[+-]?\d+[a-wyz]*(?:[+-]\d+[a-wyz]*)?(?:x(\d+))?)$/.exec(item);
    if (!m || m[1] === '0') throw new PromQLTestSyntaxError(lineIndex + 1, `invalid @st sequence: invalid ST item "${item}"`);
    if (m[1] !== undefined) count += Number(m[1]);
    else if (m[2] !== undefined) count += Number(m[2]) + 1;
    else count += 1;
  }
  return count;
}

function seriesOrThrow(text: string, lineIndex: number): ReturnType<typeof parseSeriesDescription> {
  try {
    return parseSeriesDescription(text);
  } catch (err) {
    throw new PromQLTestSyntaxError(lineIndex + 1, `${(err as Error).message} in ${JSON.stringify(text)}`);
  }
}

function parseEval(lines: string[], start: number): { command: EvalCommand; last: number } {
  const header = lines[start]!;
  const instant = EVAL_INSTANT.exec(header);
  const range = instant ? null : EVAL_RANGE.exec(header);
  const line = start + 1;
  if (!instant && !range) {
    throw new PromQLTestSyntaxError(
      line,
      "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered] instant [at <offset:duration>] <query>' or 'eval[_fail|_warn] range from <from> to <to> step <step> <query>'",
    );
  }
  const expr = instant ? instant[3]! : range![5]!;
  const fail = (message: string): never => {
    throw new PromQLTestSyntaxError(line, `error in eval ${expr}: ${message}`);
  };
  const duration = (text: string, what: string): number => {
    try {
      return parseDurationMs(text);
    } catch (err) {
      return fail(`invalid ${what} definition "${text}": ${(err as Error).message}`);
    }
  };
  const cmd: EvalCommand = {
    kind: 'eval',
    line,
    expr,
    range: !instant,
    startMs: 0,
    endMs: 0,
    stepMs: 0,
    evalMs: 0,
    legacyFail: false,
    legacyWarn: false,
    legacyInfo: false,
    legacyOrdered: false,
    expects: { fail: [], warn: [], no_warn: [], info: [], no_info: [], ordered: [] },
    excludeFromRangeQuery: false,
    expected: new Map(),
  };
  const modifier = instant ? instant[1] : range![1];
  if (instant) {
    cmd.evalMs = duration(instant[2] ?? '', 'timestamp');
    cmd.startMs = cmd.evalMs;
  } else {
    cmd.startMs = duration(range![2]!, 'start timestamp');
    cmd.endMs = duration(range![3]!, 'end timestamp');
    if (cmd.endMs < cmd.startMs) fail(`invalid test definition, end timestamp (${range![3]}) is before start timestamp (${range![2]})`);
    cmd.stepMs = duration(range![4]!, 'step');
  }
  if (modifier === 'fail') cmd.legacyFail = true;
  else if (modifier === 'warn') cmd.legacyWarn = true;
  else if (modifier === 'info') cmd.legacyInfo = true;
  else if (modifier === 'ordered') cmd.legacyOrdered = true;

  let expectRangeVector = false;
  let position = 0;
  let i = start;
  while (i + 1 < lines.length && lines[i + 1] !== '') {
    i++;
    const def = lines[i]!;
    if (cmd.legacyFail && def.startsWith('expected_fail_message')) {
      cmd.expectedFailMessage = def.slice('expected_fail_message'.length).trim();
      break;
    }
    if (cmd.legacyFail && def.startsWith('expected_fail_regexp')) {
      const pattern = def.slice('expected_fail_regexp'.length).trim();
      cmd.expectedFailRegexp = regexOrFail(pattern, () => fail(`invalid regexp '${pattern}' for expected_fail_regexp`));
      break;
    }
    if (def.startsWith(RANGE_VECTOR_PREFIX)) {
      const m = EXPECT_RANGE.exec(def);
      if (!m) fail(`invalid range vector definition "${def}"`);
      cmd.startMs = duration(m![1]!, 'start timestamp');
      cmd.endMs = duration(m![2]!, 'end timestamp');
      if (cmd.endMs < cmd.startMs) fail(`invalid test definition, end timestamp (${m![2]}) is before start timestamp (${m![1]})`);
      cmd.stepMs = duration(m![3]!, 'step');
      cmd.evalMs = cmd.endMs;
      cmd.excludeFromRangeQuery = true;
      expectRangeVector = true;
      continue;
    }
    if (def.startsWith(STRING_PREFIX)) {
      const literal = def === STRING_PREFIX ? '' : def.slice(STRING_PREFIX.length + 1);
      if (literal === '') fail('expected string literal not valid - a quoted string literal is required');
      try {
        cmd.expectedString = unquoteStringLiteral(literal);
      } catch {
        fail('expected string literal not valid - check that the string is correctly quoted');
      }
      cmd.excludeFromRangeQuery = true;
      continue;
    }
    if (def.split(' ', 1)[0] === 'expect') {
      const m = EXPECT.exec(def.trim());
      if (!m) fail('invalid expect statement, must match `expect <type> <match_type>: <string>` format');
      const kind = m![1] as ExpectKind;
      let expect: ExpectLine;
      if (m![2] === 'msg') expect = { message: m![3]!.trim() };
      else if (m![2] === 'regex') {
        const pattern = m![3]!.trim();
        expect = { pattern: regexOrFail(pattern, () => fail(`invalid regex ${pattern} for ${kind}`)) };
      } else expect = { pattern: /^.*$/s };
      cmd.expects[kind].push(expect);
      if (cmd.expects.info.length > 0 && cmd.expects.no_info.length > 0) fail('invalid expect lines, info and no_info cannot be used together');
      if (cmd.expects.warn.length > 0 && cmd.expects.no_warn.length > 0) fail('invalid expect lines, warn and no_warn cannot be used together');
      if (cmd.expects.fail.length > 1) fail('invalid expect lines, multiple expect fail lines are not allowed');
      continue;
    }
    const scalar = parseGoNumber(def);
    if (scalar !== undefined) {
      cmd.expectScalar = scalar;
      cmd.expected.clear();
      break;
    }
    const series = seriesOrThrow(def, i);
    if (series.values.length > 1 && instant && !expectRangeVector) {
      fail("expecting multiple values in instant evaluation not allowed. consider using 'expect range vector' directive to enable a range vector result for an instant query");
    }
    cmd.expectScalar = undefined;
    cmd.expected.set(seriesKey(series.labels), { labels: series.labels, position: ++position, values: series.values });
  }
  return { command: cmd, last: i };
}

function regexOrFail(pattern: string, onError: () => never): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    return onError();
  }
}

/** The query fails as expected (`eval_fail` or `expect fail`). */
export function expectsFailure(cmd: EvalCommand): boolean {
  return cmd.legacyFail || cmd.expects.fail.length > 0;
}

/** The result order is part of the expectation (`eval_ordered` or `expect ordered`). */
export function expectsOrder(cmd: EvalCommand): boolean {
  return cmd.legacyOrdered || cmd.expects.ordered.length > 0;
}
