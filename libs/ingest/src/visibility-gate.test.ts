import { describe, expect, it } from 'vitest';
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

  it('does nothing with a bound of 0', () => {
    const gate = new VisibilityGate(0);
    gate.report(60_000);
    expect(gate.isBehind()).toBe(false);
  });
});
