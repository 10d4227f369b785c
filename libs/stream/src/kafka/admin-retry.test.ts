import { describe, expect, it } from 'vitest';
import { withAdminRetries } from './admin-retry.js';

/** The shape kafkajs gives its protocol errors (`KafkaJSProtocolError`). */
function kafkaError(message: string, retriable: boolean): Error {
  return Object.assign(new Error(message), { retriable, type: 'NOT_COORDINATOR_FOR_GROUP' });
}

describe('withAdminRetries', () => {
  it('tries a retriable failure again, backing off, until the call succeeds', async () => {
    let calls = 0;
    const waits: number[] = [];
    const result = await withAdminRetries(
      async () => {
        if (++calls < 4) throw kafkaError('This is not the correct coordinator for this group', true);
        return 'offsets';
      },
      15_000,
      async (ms) => void waits.push(ms),
    );
    expect(result).toBe('offsets');
    expect(waits).toEqual([100, 200, 400]);
  });

  it('throws a non-retriable error at once', async () => {
    let calls = 0;
    const call = async (): Promise<never> => {
      calls++;
      throw kafkaError('Not authorized to access group', false);
    };
    await expect(withAdminRetries(call, 15_000, async () => undefined)).rejects.toThrow(/Not authorized/);
    expect(calls).toBe(1);
  });

  it('gives up on a retriable error once the budget is spent', async () => {
    let calls = 0;
    const call = async (): Promise<never> => {
      calls++;
      throw kafkaError('This is not the correct coordinator for this group', true);
    };
    await expect(withAdminRetries(call, 250, (ms) => new Promise((r) => setTimeout(r, ms)))).rejects.toThrow(/correct coordinator/);
    // 100 ms, then 200 ms would pass the 250 ms budget.
    expect(calls).toBe(2);
  });
});
