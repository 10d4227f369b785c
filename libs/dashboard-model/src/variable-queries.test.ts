import { describe, expect, it } from 'vitest';
import { applyRegexAndSort, optionsFromQueryResult, parseVariableQuery, VariableQueryError, variableRegex } from './variable-queries.js';

describe('parseVariableQuery', () => {
  it.each([
    ['label_names()', { kind: 'label_names' }],
    ['label_names(node_)', { kind: 'label_names', metricRegex: 'node_', selector: '{__name__=~".*node_.*"}' }],
    ['label_values(job)', { kind: 'label_values', label: 'job', selector: null }],
    ['  label_values( up{env="prod", team=~"a|b"} ,  instance )  ', { kind: 'label_values', label: 'instance', selector: 'up{env="prod", team=~"a|b"}' }],
    ['label_values({}, job)', { kind: 'label_values', label: 'job', selector: null }],
    ['metrics(node_cpu.*)', { kind: 'metrics', regex: 'node_cpu.*' }],
    ['query_result(topk(5, sum by (job) (rate(x[5m]))))', { kind: 'query_result', expr: 'topk(5, sum by (job) (rate(x[5m])))' }],
    ['up{job="node"}', { kind: 'series', selector: 'up{job="node"}' }],
    ['{__name__=~"node_.*"}', { kind: 'series', selector: '{__name__=~"node_.*"}' }],
  ])('%s', (q, expected) => {
    expect(parseVariableQuery(q)).toEqual(expected);
  });

  it.each([
    ['', 'the query is empty'],
    ['label_values()', 'label_values needs a label name'],
    ['label_values(up, 9bad)', '"9bad" is not a label name'],
    ['label_values(, job)', 'the selector before the label is empty'],
    ['metrics()', 'metrics needs a regular expression'],
    ['metrics(()', 'is not a valid regular expression'],
    ['query_result()', 'query_result needs a PromQL expression'],
    ['sum(rate(x[5m]))', 'is not a variable query'],
    ['select * from t', 'is not a variable query'],
  ])('refuses %j', (q, message) => {
    expect(() => parseVariableQuery(q)).toThrow(VariableQueryError);
    expect(() => parseVariableQuery(q)).toThrow(message);
  });
});

describe('optionsFromQueryResult', () => {
  it('passes label names and values through', () => {
    expect(optionsFromQueryResult({ kind: 'label_values', label: 'job', selector: null }, ['a', 'b'])).toEqual(['a', 'b']);
    expect(optionsFromQueryResult({ kind: 'label_names' }, ['__name__', 'job'])).toEqual(['__name__', 'job']);
    expect(() => optionsFromQueryResult({ kind: 'label_names' }, [1])).toThrow('array of strings');
  });

  it('filters metric names by an unanchored regex', () => {
    expect(optionsFromQueryResult({ kind: 'metrics', regex: 'cpu' }, ['node_cpu_seconds_total', 'up', 'process_cpu'])).toEqual(['node_cpu_seconds_total', 'process_cpu']);
  });

  it('writes query_result samples as Grafana text: name{labels} value timestampMs', () => {
    const data = {
      resultType: 'vector',
      result: [
        { metric: { __name__: 'up', instance: 'a:9100', job: 'node' }, value: [1700000000.123, '1'] },
        { metric: { job: 'x' }, value: [1700000000, '0.5'] },
      ],
    };
    expect(optionsFromQueryResult({ kind: 'query_result', expr: 'up' }, data)).toEqual(['up{instance="a:9100",job="node"} 1 1700000000123', '{job="x"} 0.5 1700000000000']);
    expect(optionsFromQueryResult({ kind: 'query_result', expr: '1' }, { resultType: 'scalar', result: [1700000000, '42'] })).toEqual(['42']);
    expect(() => optionsFromQueryResult({ kind: 'query_result', expr: 'x[5m]' }, { resultType: 'matrix', result: [] })).toThrow('instant vector');
    expect(() => optionsFromQueryResult({ kind: 'query_result', expr: 'x' }, { resultType: 'vector', result: [{ metric: {} }] })).toThrow('sample 0');
  });

  it('writes series label sets as selectors', () => {
    expect(optionsFromQueryResult({ kind: 'series', selector: 'up' }, [{ __name__: 'up', job: 'a' }])).toEqual(['up{job="a"}']);
  });
});

describe('applyRegexAndSort', () => {
  it('reads /pattern/flags and anchors bare patterns', () => {
    expect(variableRegex('/ab/i').test('xABx')).toBe(true);
    expect(variableRegex('ab').test('xabx')).toBe(false);
    expect(() => variableRegex('/(/')).toThrow('not a valid regular expression');
    expect(() => variableRegex('/abc')).toThrow('must end with /');
  });

  it('filters, and extracts the first capture group', () => {
    expect(applyRegexAndSort(['node-1:9100', 'node-2:9100', 'db:5432'], '/(node-\\d+):.*/', 'none')).toEqual([
      { text: 'node-1', value: 'node-1' },
      { text: 'node-2', value: 'node-2' },
    ]);
    expect(applyRegexAndSort(['a', 'b'], '', 'none')).toEqual([
      { text: 'a', value: 'a' },
      { text: 'b', value: 'b' },
    ]);
    expect(applyRegexAndSort(['abc', 'xbc'], 'a.*', 'none')).toEqual([{ text: 'abc', value: 'abc' }]);
  });

  it('uses named groups text and value', () => {
    expect(applyRegexAndSort(['up{instance="10.0.0.1:9100",name="web"} 1 1700000000000'], '/instance="(?<value>[^"]+)",name="(?<text>[^"]+)"/', 'none')).toEqual([{ text: 'web', value: '10.0.0.1:9100' }]);
    expect(applyRegexAndSort(['id=7'], '/id=(?<value>\\d+)/', 'none')).toEqual([{ text: '7', value: '7' }]);
  });

  it('adds every match with the g flag and drops duplicates by value', () => {
    expect(applyRegexAndSort(['a=1,b=2', 'c=1'], '/=(\\d)/g', 'none')).toEqual([
      { text: '1', value: '1' },
      { text: '2', value: '2' },
    ]);
    expect(applyRegexAndSort(['x', 'x', 'y'], '', 'none').map((o) => o.value)).toEqual(['x', 'y']);
  });

  it('drops values whose capture group did not take part', () => {
    expect(applyRegexAndSort(['a', 'b1'], '/^[ab](\\d)?$/', 'none').map((o) => o.value)).toEqual(['1']);
  });

  it('sorts alphabetically (case-sensitive) and numerically by the first number', () => {
    const values = ['node10', 'Node2', 'node1', 'db'];
    expect(applyRegexAndSort(values, '', 'alpha-asc').map((o) => o.text)).toEqual(['Node2', 'db', 'node1', 'node10']);
    expect(applyRegexAndSort(values, '', 'alpha-desc').map((o) => o.text)).toEqual(['node10', 'node1', 'db', 'Node2']);
    expect(applyRegexAndSort(values, '', 'numeric-asc').map((o) => o.text)).toEqual(['db', 'node1', 'Node2', 'node10']);
    expect(applyRegexAndSort(values, '', 'numeric-desc').map((o) => o.text)).toEqual(['node10', 'Node2', 'node1', 'db']);
  });
});
