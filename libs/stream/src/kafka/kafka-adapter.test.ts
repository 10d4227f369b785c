import { describe, expect, it } from 'vitest';
import type { StreamRecord } from '../port.js';
import { splitByBytes } from './kafka-consumer.js';
import { kafkaJsLogging, type KafkaLogEntry } from './kafka-log.js';
import { parseKafkaUrl } from './kafka-url.js';

describe('parseKafkaUrl', () => {
  it('reads one or several brokers, with the default port', () => {
    expect(parseKafkaUrl('kafka://127.0.0.1:19092')).toEqual({ brokers: ['127.0.0.1:19092'] });
    expect(parseKafkaUrl(' kafka://a:1, b.example:2/ ')).toEqual({ brokers: ['a:1', 'b.example:2'] });
    expect(parseKafkaUrl('KAFKA://broker')).toEqual({ brokers: ['broker:9092'] });
  });

  it('refuses what it cannot pass to the client', () => {
    expect(() => parseKafkaUrl('http://a:1')).toThrow(/not a Kafka URL/);
    expect(() => parseKafkaUrl('kafka://')).toThrow(/no broker/);
    expect(() => parseKafkaUrl('kafka://a:99999')).toThrow(/bad port/);
    expect(() => parseKafkaUrl('kafka://a:1,,b:2')).toThrow(/bad broker address/);
    expect(() => parseKafkaUrl('kafka://[::1]:9092')).toThrow(/bad broker address/);
    expect(() => parseKafkaUrl('kafka://a:1/topic')).toThrow(/not a Kafka URL/);
  });
});

describe('splitByBytes', () => {
  const rec = (offset: number, bytes: number): StreamRecord => ({
    offset,
    key: 'k',
    value: new Uint8Array(bytes - 1),
    timestamp: 0,
  });

  it('cuts at the byte bound and sends a larger record alone', () => {
    const parts = splitByBytes([rec(0, 40), rec(1, 60), rec(2, 30), rec(3, 250), rec(4, 10)], 100);
    expect(parts.map((p) => p.map((r) => r.offset))).toEqual([[0, 1], [2], [3], [4]]);
  });

  it('keeps everything in one part when it fits, and nothing for no records', () => {
    expect(splitByBytes([rec(0, 10), rec(1, 10)], 100)).toHaveLength(1);
    expect(splitByBytes([], 100)).toEqual([]);
  });
});

describe('kafkaJsLogging', () => {
  const run = (
    threshold: 'error' | 'warn' | 'info',
    level: number,
    namespace: string,
    message: string,
    extra: Record<string, unknown> = {},
  ) => {
    const out: KafkaLogEntry[] = [];
    const { logCreator } = kafkaJsLogging(threshold, (e) => out.push(e));
    logCreator(level)({ namespace, level, label: 'X', log: { timestamp: 'now', message, groupId: 'g', ...extra } });
    return out;
  };

  it('passes real errors with their fields, without the timestamp', () => {
    expect(run('error', 1, 'Producer', 'boom')).toEqual([
      { level: 'error', namespace: 'Producer', message: 'boom', fields: { groupId: 'g' } },
    ]);
  });

  it('demotes the routine noise of consumer groups below the quiet default', () => {
    expect(run('error', 1, 'Runner', 'The group is rebalancing, re-joining')).toEqual([]);
    expect(run('error', 1, 'Consumer', 'Restarting the consumer in 300ms')).toEqual([]);
    expect(run('error', 1, 'Consumer', "Crash: KafkaJSProtocolError: The coordinator is loading")).toEqual([]);
    expect(run('error', 1, 'Connection', 'Response Metadata(key: 3, version: 6)')).toEqual([]);
    // An attempt that kafkajs retries: the caller sees the final failure, if any.
    const retry = { retryCount: 0, retryTime: 300 };
    expect(run('error', 1, 'Producer', 'Failed to send messages: not the leader', retry)).toEqual([]);
    expect(run('warn', 1, 'Producer', 'Failed to send messages: not the leader', retry)[0]!.level).toBe('warn');
    expect(run('info', 1, 'Runner', 'The group is rebalancing, re-joining')[0]!.level).toBe('info');
    expect(run('warn', 1, 'Connection', 'Response Metadata(key: 3, version: 6)')[0]!.level).toBe('warn');
  });
});
