#!/usr/bin/env node
// Records Prometheus' answers (`/api/v1/format_query`, `/api/v1/parse_query`) for the operator
// precedence fixture `prometheus-3.16-precedence.json`: every pair of binary operators, with the
// postfix modifiers (`offset`, `@`, ranges, subqueries) and unary signs written on the operands.
//
//   prometheus --storage.tsdb.path=$(mktemp -d) --web.listen-address=127.0.0.1:19316 \
//     --enable-feature=promql-experimental-functions,promql-duration-expr &
//   node libs/promql/src/parser/testdata/record-precedence.mjs http://127.0.0.1:19316 > libs/promql/src/parser/testdata/prometheus-3.16-precedence.json
import { writeSync } from 'node:fs';

const base = process.argv[2];
if (!base) throw new Error('usage: record-precedence.mjs <prometheus base URL>');

const OPS = ['^', '*', '/', '%', 'atan2', '+', '-', '==', '!=', '>', '<', '>=', '<=', 'and', 'or', 'unless'];
// Where the modifiers go in `a X op1 b Y op2 c Z`.
const PLACEMENTS = [
  ['', ' offset 1m', ''],
  [' @ 60', ' @ 60', ' @ 60'],
  [' offset 1m', '[5m:1m] offset 1m', ''],
];

const queries = [];
for (const op1 of OPS) {
  for (const op2 of OPS) {
    for (const [x, y, z] of PLACEMENTS) queries.push(`a${x} ${op1} b${y} ${op2} c${z}`);
  }
}
// Unary signs, `bool` and matching modifiers, numbers and parentheses around modifiers.
for (const op of OPS) {
  queries.push(
    `-a offset 1m ${op} b`,
    `a ${op} -b offset 1m`,
    `-a ${op} b @ 60 ^ c`,
    `a ${op} -b @ 60 ^ 2`,
    `-2 ${op} 3 ^ 2`,
    `a offset 1m ${op} on (y) group_left c @ 60 / 10`,
    `a @ 60 ${op} ignoring (y) b offset 1m * 2`,
    `(a + b) offset 1m ${op} c`,
    `rate(a[5m] offset 1m) ${op} b offset 1m * 2`,
    `sum(a) ${op} b[5m] * 2`,
  );
}
for (const cmp of ['==', '!=', '>', '<', '>=', '<=']) {
  queries.push(`a > bool b offset 1m ${cmp} bool c @ 60`, `1 ${cmp} bool 2 offset 1m`, `a offset 1m ${cmp} bool 2 * 3`);
}
queries.push(
  'a offset 1m + b offset 1m * 2',
  'a @ 60 or b @ 60 and c @ 60',
  'a > on (y) group_left c / 10',
  'a[5m:1m] offset 1m @ 60 + b',
  '-a[5m:1m] offset 1m',
  '- - a offset 1m ^ 2',
  'a ^ b offset 1m ^ c',
  'a offset 1m - -b offset 2m - c',
  'a[5m] offset 1m',
  'a offset 1m[5m]',
  '(a offset 1m)[5m:]',
  'a + b[5m] offset 1m',
  'a unless b offset 1m or c offset 2m and d',
);

async function ask(path, q) {
  const res = await fetch(`${base}/api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: q }),
  });
  return res.json();
}

const out = (s) => writeSync(1, s);
out(`{"source":"Prometheus 3.16.0 (--enable-feature=promql-experimental-functions,promql-duration-expr): /api/v1/format_query and /api/v1/parse_query answers for operator precedence around postfix modifiers, recorded by record-precedence.mjs","cases":[\n`);
const seen = new Set();
let first = true;
for (const q of queries) {
  if (seen.has(q)) continue;
  seen.add(q);
  const parsed = await ask('parse_query', q);
  let prom;
  if (parsed.status !== 'success') {
    prom = { error: parsed.error.replace(/^invalid parameter "query": /, '') };
  } else {
    const formatted = await ask('format_query', q);
    prom = { format: formatted.data, json: parsed.data };
  }
  out(`${first ? '' : ',\n'}${JSON.stringify({ q, prom })}`);
  first = false;
}
out(']}\n');
