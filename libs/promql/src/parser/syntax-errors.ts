import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { getFunctionSignature } from './function-signatures.js';
import { readNumberToken } from './number-literal.js';
import { PromQLParseError } from './parse-error.js';
import { lexPromQL, type LexOptions, type LexResult, type Token } from './prom-lexer.js';

/** The input as handed to lezer, and what was changed to get there. */
export interface PreparedInput {
  readonly text: string;
  readonly lex: LexResult;
  /** Start offset → function name written there, for names lezer's grammar does not list. */
  readonly functionNames: ReadonlyMap<number, string>;
}

const lezerKnowsCache = new Map<string, boolean>();

/** Whether lezer-promql's grammar parses `name(...)` as a call (its function list is fixed). */
function lezerKnowsFunction(name: string): boolean {
  let known = lezerKnowsCache.get(name);
  if (known === undefined) {
    const top = parser.parse(`${name}(1)`).topNode.firstChild;
    known = top?.name === 'FunctionCall' && !hasError(top);
    lezerKnowsCache.set(name, known);
  }
  return known;
}

function hasError(node: SyntaxNode): boolean {
  if (node.type.isError) return true;
  for (let c = node.firstChild; c; c = c.nextSibling) if (hasError(c)) return true;
  return false;
}

/**
 * Prometheus parses `name(args)` for any identifier and then looks the name up; lezer-promql
 * only knows the functions its grammar lists. So calls to other names (`integral`, `min_of`,
 * Pharos' `holt_winters`, unknown names) are handed to lezer under a listed name of no greater
 * length, padded with spaces so every position stays the same, and the written name is kept.
 */
export function prepareForLezer(text: string, options?: LexOptions): PreparedInput {
  const lex = lexPromQL(text, options);
  const names = new Map<number, string>();
  let prepared = text;
  const toks = lex.tokens;
  if (options?.unquotedUTF8Names) prepared = maskUnquotedUTF8Names(prepared, toks);
  for (let i = 0; i + 1 < toks.length; i++) {
    const t = toks[i]!;
    const isCallName =
      (t.kind === 'IDENTIFIER' || (t.kind === 'PREPROCESSOR' && !inBrackets(toks, i) && !inOffsetDuration(toks, i) && toks[i - 1]?.text !== '@')) &&
      toks[i + 1]!.text === '(';
    if (!isCallName || t.text.length < 2 || lezerKnowsFunction(t.kind === 'PREPROCESSOR' ? t.text.toLowerCase() : t.text)) continue;
    names.set(t.start, t.text);
    prepared = prepared.slice(0, t.start) + 'ln'.padEnd(t.text.length, ' ') + prepared.slice(t.end);
  }
  for (const t of toks) {
    // Prometheus matches `start()`, `end()`, `step()`… in any case; lezer's grammar in lower case only.
    if (t.kind === 'PREPROCESSOR' && !names.has(t.start)) prepared = prepared.slice(0, t.start) + t.text.toLowerCase() + prepared.slice(t.end);
    // Go reads `5.` as 5; lezer's number token wants digits after the point.
    if (t.kind === 'NUMBER' && t.text.endsWith('.')) prepared = `${prepared.slice(0, t.end - 1)} ${prepared.slice(t.end)}`;
  }
  return { text: prepared, lex, functionNames: names };
}

/**
 * lezer-promql's grammar knows only ASCII names, so each unquoted name with a Unicode letter
 * or a dot (`http.server.requests`, `温度`) is handed to it as an ASCII identifier of the same
 * UTF-16 length; positions stay the same and the AST reads the name from the original text.
 */
function maskUnquotedUTF8Names(text: string, toks: readonly Token[]): string {
  let out = text;
  for (const t of toks) {
    if (t.kind !== 'IDENTIFIER' && t.kind !== 'METRIC_IDENTIFIER') continue;
    if (!/[^\x00-\x7f]|\./.test(t.text)) continue;
    out = out.slice(0, t.start) + 'u'.padEnd(t.end - t.start, '_') + out.slice(t.end);
  }
  return out;
}

const DURATION_TOKENS = new Set(['(', ')', ',', '+', '-', '*', '/', '%', '^']);

/**
 * Whether token i is part of an offset's duration expression (`offset -(min_of(step(), 1s))`),
 * where lezer knows `step()`, `min_of(…)` and the like as duration functions.
 */
function inOffsetDuration(toks: readonly Token[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const t = toks[j]!;
    if (t.kind === 'KEYWORD') return t.text.toLowerCase() === 'offset';
    const inDuration = DURATION_TOKENS.has(t.text) || t.kind === 'NUMBER' || t.kind === 'DURATION' || t.kind === 'PREPROCESSOR';
    if (!inDuration) return false;
  }
  return false;
}

/** Whether token i is inside `[...]`, where `step()`, `min_of(…)` are duration functions. */
function inBrackets(toks: readonly Token[], i: number): boolean {
  let depth = 0;
  for (let j = 0; j < i; j++) {
    if (toks[j]!.text === '[') depth++;
    else if (toks[j]!.text === ']') depth--;
  }
  return depth > 0;
}

/**
 * The error Prometheus reports for a text that lezer could not parse, or whose tokens
 * Prometheus' lexer refuses; undefined when the syntax is fine.
 */
export function syntaxError(text: string, prepared: PreparedInput, top: SyntaxNode): PromQLParseError | undefined {
  const errNode = firstError(top);
  const lexError = prepared.lex.error;
  const errAt = errNode ? errNode.from : Infinity;
  const tokens = prepared.lex.tokens;
  // Prometheus' parser meets a lexer error when it reads that token, and its error recovery
  // reads one token past a syntax error, so a lexer error right after it wins.
  const errTokenEnd = tokens.find((t) => t.end > errAt)?.end ?? errAt;
  if (lexError && lexError.pos <= errTokenEnd) {
    return PromQLParseError.at(text, { start: lexError.pos, end: text.length }, lexError.reason);
  }
  if (!errNode) {
    if (tokens.length === 0 || tokens[0]!.kind === 'EOF') return noExpression(text);
    return undefined;
  }
  const index = tokens.findIndex((t) => t.end > errAt || (t.kind === 'EOF' && t.start >= errAt));
  if (index < 0) return PromQLParseError.at(text, { start: errAt, end: errAt }, 'unexpected end of input');
  const tok = tokens[index]!;
  const prev = index > 0 ? tokens[index - 1] : undefined;
  if (index === 0 && tok.kind === 'EOF') return noExpression(text);
  // A token Prometheus' lexer takes as a number or duration but whose value is bad (`1.5h`).
  if (tok.kind === 'NUMBER' || tok.kind === 'DURATION') {
    try {
      readNumberToken(tok.text);
    } catch (err) {
      return PromQLParseError.at(text, { start: tok.start, end: tok.end }, (err as Error).message);
    }
  }
  // `f(…)` with a one-letter name lezer could not take under another name.
  if (prev && prev.kind === 'IDENTIFIER' && tok.text === '(' && !getFunctionSignature(prev.text)) {
    return PromQLParseError.at(text, { start: prev.start, end: prev.end }, `unknown function with name ${JSON.stringify(prev.text)}`);
  }
  if (prev?.text === ',' && tok.text === ')' && !insideBraces(tokens, index)) {
    return PromQLParseError.at(text, { start: prev.start, end: prev.end }, 'trailing commas not allowed in function call args');
  }
  return PromQLParseError.at(text, { start: tok.start, end: tok.end }, `unexpected ${describeToken(tok)}${context(tokens, index)}`);
}

function noExpression(text: string): PromQLParseError {
  const where = text === '' ? 'unknown position' : '1:1';
  return new PromQLParseError(`${where}: parse error: no expression found in input`, { start: 0, end: 0 }, 'no expression found in input');
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type.isError) return node;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    const found = firstError(c);
    if (found) return found;
  }
  return undefined;
}

function insideBraces(tokens: readonly Token[], index: number): boolean {
  for (let j = index - 1; j >= 0; j--) {
    if (tokens[j]!.text === '}') return false;
    if (tokens[j]!.text === '{') return true;
  }
  return false;
}

const GROUPING_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/**
 * The ` in <context>, expected <what>` part of Prometheus' message, from the grammar's error
 * rules that apply at this token.
 */
function context(tokens: readonly Token[], index: number): string {
  const prev = tokens[index - 1];
  const tok = tokens[index]!;
  if (!prev) return '';
  const prevLower = prev.text.toLowerCase();
  if (prev.kind === 'KEYWORD' && prevLower === 'offset') return ' in offset, expected number, duration, step(), or range()';
  if (prev.kind === 'OPERATOR' && prev.text === '@') return ' in @, expected timestamp';
  if (prev.kind === 'KEYWORD' && GROUPING_KEYWORDS.has(prevLower) && tok.text !== '(') {
    return prevLower.startsWith('group_') ? '' : ' in grouping opts, expected "("';
  }
  // Inside a grouping list `by (a, b)`.
  const open = openGroup(tokens, index);
  if (open === 'grouping') return prev.text === '(' || prev.text === ',' ? ' in grouping opts, expected label' : ' in grouping opts, expected "," or ")"';
  if (open === 'braces') {
    if (prev.text === '{' || prev.text === ',') return ' in label matching, expected identifier or "}"';
    if (prev.kind === 'IDENTIFIER' || prev.kind === 'STRING') {
      const before = tokens[index - 2];
      const isValue = before !== undefined && /^(=|!=|=~|!~)$/.test(before.text);
      if (isValue) return ' in label matching, expected "," or "}"';
      return prev.kind === 'IDENTIFIER' ? ' in label matching, expected label matching operator' : ' in label matching, expected "," or "}"';
    }
    if (/^(=|!=|=~|!~)$/.test(prev.text)) return ' in label matching, expected string';
  }
  if (open === 'brackets') {
    const sawColon = tokens.slice(bracketStart(tokens, index), index).some((t) => t.text === ':');
    if (prev.text === '[') return ' in subquery or range selector, expected number, duration, step(), or range()';
    if (prev.text === ':') return ' in subquery selector, expected number, duration, step(), range(), or "]"';
    return sawColon ? ' in subquery selector, expected "]"' : ' in subquery or range, expected ":" or "]"';
  }
  return '';
}

function bracketStart(tokens: readonly Token[], index: number): number {
  for (let j = index - 1; j >= 0; j--) if (tokens[j]!.text === '[') return j;
  return 0;
}

/** Which kind of bracketed list the token at `index` is in, if any. */
function openGroup(tokens: readonly Token[], index: number): 'grouping' | 'braces' | 'brackets' | undefined {
  const stack: ('grouping' | 'paren' | 'braces' | 'brackets')[] = [];
  for (let j = 0; j < index; j++) {
    const t = tokens[j]!;
    if (t.text === '(') {
      const before = tokens[j - 1];
      const grouping = before?.kind === 'KEYWORD' && GROUPING_KEYWORDS.has(before.text.toLowerCase());
      stack.push(grouping ? 'grouping' : 'paren');
    } else if (t.text === '{') stack.push('braces');
    else if (t.text === '[') stack.push('brackets');
    else if (t.text === ')' || t.text === '}' || t.text === ']') stack.pop();
  }
  const top = stack[stack.length - 1];
  return top === 'paren' ? undefined : top;
}

/** How Prometheus names a token in `unexpected …` messages (`Item.desc`). */
function describeToken(tok: Token): string {
  switch (tok.kind) {
    case 'EOF':
      return 'end of input';
    case 'IDENTIFIER':
      return `identifier ${JSON.stringify(tok.text)}`;
    case 'METRIC_IDENTIFIER':
      return `metric identifier ${JSON.stringify(tok.text)}`;
    case 'KEYWORD':
      return `<${tok.text}>`;
    case 'OPERATOR':
      return `<op:${tok.text}>`;
    case 'AGGREGATOR':
      return `<aggr:${tok.text}>`;
    case 'NUMBER':
      return `number ${quoteItem(tok.text)}`;
    case 'DURATION':
      return `duration ${quoteItem(tok.text)}`;
    case 'STRING':
      return `string ${quoteItem(tok.text)}`;
    case 'PREPROCESSOR':
    case 'PUNCT':
      return quoteItem(tok.text);
  }
}

/** Go's `%q`, or `%.10q...` past ten characters, as `Item.String` prints values. */
function quoteItem(text: string): string {
  const chars = [...text];
  return chars.length > 10 ? `${JSON.stringify(chars.slice(0, 10).join(''))}...` : JSON.stringify(text);
}
