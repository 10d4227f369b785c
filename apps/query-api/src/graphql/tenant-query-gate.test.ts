import { describe, expect, it } from 'vitest';
import { TenantQueryGate } from './tenant-query-gate.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('TenantQueryGate', () => {
  it('runs at most N queries of a tenant at once, others in arrival order, tenants apart', async () => {
    const gate = new TenantQueryGate(2);
    const releases: (() => void)[] = [];
    const order: string[] = [];
    const job = (tenant: string, name: string) =>
      gate.run(tenant, undefined, () => {
        order.push(name);
        return new Promise<string>((r) => releases.push(() => r(name)));
      });
    const runs = [job('a', 'a1'), job('a', 'a2'), job('a', 'a3'), job('a', 'a4'), job('b', 'b1')];
    await tick();
    expect(order).toEqual(['a1', 'a2', 'b1']);
    expect(gate.inFlight('a')).toBe(2);
    releases[0]!();
    await tick();
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3']);
    expect(gate.inFlight('a')).toBe(2);
    for (let i = 1; i < 10; i++) releases[i]?.();
    await tick();
    releases.forEach((r) => r());
    expect(await Promise.all(runs)).toEqual(['a1', 'a2', 'a3', 'a4', 'b1']);
    expect(gate.inFlight('a')).toBe(0);
  });

  it('frees the slot when the work fails, and cancels a waiter whose request is aborted', async () => {
    const gate = new TenantQueryGate(1);
    await expect(gate.run('t', undefined, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(gate.inFlight('t')).toBe(0);
    let release: () => void = () => undefined;
    const holder = gate.run('t', undefined, () => new Promise<void>((r) => (release = r)));
    const abort = new AbortController();
    const waiter = gate.run('t', abort.signal, async () => 'ran');
    abort.abort();
    await expect(waiter).rejects.toMatchObject({ extensions: { code: 'CANCELED' } });
    release();
    await holder;
    expect(gate.inFlight('t')).toBe(0);
    expect(await gate.run('t', undefined, async () => 'next')).toBe('next');
  });
});
