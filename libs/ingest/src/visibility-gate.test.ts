import { afterEach, describe, expect, it, vi } from 'vitest';
import { VisibilityGate } from './visibility-gate.js';

describe('VisibilityGate', () => {
  it('closes above the bound and opens again at half of it', () => {
    const clock = { now: 0 };
    const gate = new VisibilityGate(1_000, () => clock.now);
    gate.report(200);
    expect(gate.isBehind()).toBe(false);
    gate.report(1_200);
    expect(gate.isBehind()).toBe(true);
    // Still behind while delays stay between half the bound and the bound.
    clock.now += 100;
    gate.report(800);
    expect(gate.isBehind()).toBe(true);
    clock.now += 100;
    gate.report(400);
    expect(gate.isBehind()).toBe(false);
  });

  it('opens when nothing was appended for a while (the refused writes queue nothing)', () => {
    const clock = { now: 0 };
    const gate = new VisibilityGate(1_000, () => clock.now);
    gate.report(5_000);
    clock.now += 1_500;
    expect(gate.isBehind()).toBe(true);
    clock.now += 600;
    expect(gate.isBehind()).toBe(false);
  });

  it('opens once the backlog ahead of a new write is down to half the bound', () => {
    const clock = { now: 0 };
    const gate = new VisibilityGate(1_000, () => clock.now);
    // Writes let through until t = 1,000; then a batch is appended 1,200 ms after its ack.
    clock.now = 1_000;
    expect(gate.isBehind()).toBe(false);
    gate.report(1_200);
    expect(gate.isBehind()).toBe(true);
    // The drain: batches keep arriving about as late as the queue was when the gate closed,
    // never within half the bound, yet the write let through at 1,000 is appended by ~2,200.
    clock.now = 1_400;
    gate.report(1_250);
    expect(gate.isBehind()).toBe(true);
    clock.now = 1_700;
    gate.report(1_240);
    // 1,000 + 1,240 − 1,700 = 540 ms of backlog left: still more than half the bound.
    expect(gate.isBehind()).toBe(true);
    clock.now = 1_800;
    gate.report(1_260);
    // 1,000 + 1,260 − 1,800 = 460 ms left: a write let through now waits about that.
    expect(gate.isBehind()).toBe(false);
    // A store that slows down pushes the reopening later.
    gate.report(2_000);
    clock.now = 2_400;
    expect(gate.isBehind()).toBe(true);
    gate.report(2_500);
    clock.now = 3_700;
    // 1,800 + 2,500 − 3,700 = 600 ms left.
    expect(gate.isBehind()).toBe(true);
    clock.now = 3_900;
    gate.report(2_400);
    expect(gate.isBehind()).toBe(false);
  });

  it('does nothing with a bound of 0', () => {
    const gate = new VisibilityGate(0);
    gate.report(60_000);
    expect(gate.isBehind()).toBe(false);
  });

  it('closes while an append is stalled, before its delay is reported', () => {
    const clock = { now: 0 };
    const gate = new VisibilityGate(1_000, () => clock.now);
    let appendingSince = Infinity;
    gate.watchAppending(() => appendingSince);
    gate.report(100);
    // A batch whose oldest record entered the stream at 500 is being appended, and stalls.
    appendingSince = 500;
    clock.now = 1_400;
    expect(gate.isBehind()).toBe(false);
    clock.now = 1_600;
    expect(gate.isBehind()).toBe(true);
    // Closed for as long as it lasts, though no delay is reported meanwhile.
    for (clock.now = 2_000; clock.now <= 6_000; clock.now += 500) expect(gate.isBehind()).toBe(true);
    // It completes 5.6 s late: the reported delay decides the reopening, as for any batch.
    clock.now = 6_100;
    appendingSince = Infinity;
    gate.report(5_600);
    // The last write let through (at 1,400) may be 1,400 + 5,600 − 6,100 = 900 ms away still.
    expect(gate.isBehind()).toBe(true);
    clock.now = 6_700;
    gate.report(300);
    expect(gate.isBehind()).toBe(false);
  });

  it('ignores appends in flight when turned off', () => {
    const gate = new VisibilityGate(0, () => 10_000);
    gate.watchAppending(() => 0);
    expect(gate.isBehind()).toBe(false);
  });

  describe('admit', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('lets a write through at once, without a promise, while open', () => {
      const gate = new VisibilityGate(1_000);
      gate.report(100);
      expect(gate.admit()).toBe(true);
    });

    it('holds writes while closed and lets them all through once it opens', async () => {
      vi.useFakeTimers();
      const gate = new VisibilityGate(1_000);
      let appendingSince = Infinity;
      gate.watchAppending(() => appendingSince);
      appendingSince = Date.now();
      vi.advanceTimersByTime(1_200);
      const outcomes: boolean[] = [];
      const held = [gate.admit(), gate.admit()];
      for (const h of held) {
        expect(h).toBeInstanceOf(Promise);
        void (h as Promise<boolean>).then((ok) => outcomes.push(ok));
      }
      expect(gate.heldWrites).toBe(2);
      await vi.advanceTimersByTimeAsync(300);
      expect(outcomes).toEqual([]);
      // The stalled append completes 1.5 s after its record entered the stream, and the next
      // one is appended promptly: the backlog is gone.
      appendingSince = Infinity;
      gate.report(1_500);
      gate.report(100);
      await vi.advanceTimersByTimeAsync(20);
      expect(outcomes).toEqual([true, true]);
      expect(gate.heldWrites).toBe(0);
    });

    it('refuses a held write once it has waited maxHoldMs, and any beyond maxHeld at once', async () => {
      vi.useFakeTimers();
      const gate = new VisibilityGate(1_000, Date.now, 500, 1);
      gate.watchAppending(() => Date.now() - 5_000);
      const first = gate.admit();
      expect(first).toBeInstanceOf(Promise);
      await expect(gate.admit()).resolves.toBe(false);
      let outcome: boolean | undefined;
      void (first as Promise<boolean>).then((ok) => (outcome = ok));
      await vi.advanceTimersByTimeAsync(480);
      expect(outcome).toBeUndefined();
      await vi.advanceTimersByTimeAsync(40);
      expect(outcome).toBe(false);
      expect(gate.heldWrites).toBe(0);
    });
  });
});
