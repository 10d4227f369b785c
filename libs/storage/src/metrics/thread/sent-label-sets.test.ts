import { describe, expect, it } from 'vitest';
import { SentLabelSets } from './sent-label-sets.js';

describe('SentLabelSets', () => {
  const a = ['__name__', 'a'];
  const b = ['__name__', 'b'];
  const c = ['__name__', 'c'];

  it('defines an id again in every message filled before one defining it was sent', () => {
    const sets = new SentLabelSets(10);
    const first = sets.use(a);
    const second = sets.use(a);
    expect(second.entry.id).toBe(first.entry.id);
    expect([first.define, second.define]).toEqual([true, true]);
    // The second message leaves first: the id is known from then on.
    sets.sent([second]);
    expect(sets.use(a).define).toBe(false);
    sets.sent([first]);
  });

  it('evicts only ids no unsent message refers to, and forgets only ids that were sent', () => {
    const sets = new SentLabelSets(2);
    const ua = sets.use(a);
    sets.sent([ua]);
    const ub = sets.use(b); // unsent: must survive
    const uc = sets.use(c); // over capacity: a (sent, not pending) goes
    expect(sets.takeForget()).toEqual([ua.entry.id]);
    expect(sets.use(a).entry.id).not.toBe(ua.entry.id);
    // b and c are pending and a is pending again: nothing evictable, the cache overflows.
    expect(sets.takeForget()).toBeUndefined();
    expect(sets.size).toBe(3);
    sets.sent([ub, uc]);
  });
});
