import { describe, expect, it } from 'vitest';
import { PatternMiner, type MinerState } from './miner.js';
import { compareTokens, generaliseToken, globMatches, HARD, SAME, SOFT } from './tokens.js';

describe('token relations', () => {
  it('matches globs with <*> standing for any run', () => {
    expect(globMatches('user=<*>', 'user=root')).toBe(true);
    expect(globMatches('user=<*>', 'user=')).toBe(true);
    expect(globMatches('user=<*>', 'rhost=x')).toBe(false);
    expect(globMatches('(<*>)', '(lns-<*>)')).toBe(true);
    expect(globMatches('a<*>b<*>c', 'aXbYc')).toBe(true);
    expect(globMatches('a<*>b<*>c', 'aXcYb')).toBe(false);
    expect(globMatches('ab<*>ba', 'aba')).toBe(false);
  });

  it('tells variables from differing constants', () => {
    expect(compareTokens('<*>', 'anything')).toBe(SAME);
    expect(compareTokens('user=<*>', 'user=root')).toBe(SAME);
    expect(compareTokens('root', '<*>')).toBe(SOFT);
    expect(compareTokens('user=root', 'user=<*>')).toBe(SOFT);
    expect(compareTokens('opened', 'closed')).toBe(HARD);
    expect(compareTokens('illegal......<*>', 'trap...<*>')).toBe(HARD);
  });

  it('generalises to the most specific covering token, keeping shared structure', () => {
    expect(generaliseToken('user=root', 'user=guest')).toBe('user=<*>');
    expect(generaliseToken('(root)', '(news)')).toBe('(<*>)');
    expect(generaliseToken('[LNKA]', '[LNKC]')).toBe('[<*>]');
    expect(generaliseToken('root', 'news')).toBe('<*>');
    expect(generaliseToken('user=<*>', 'user=root')).toBe('user=<*>');
    expect(generaliseToken('rhost=x.org', 'rhost=<*>')).toBe('rhost=<*>');
  });
});

describe('PatternMiner', () => {
  it('groups lines that differ in masked variables and generalises the template, keeping the id', () => {
    const m = new PatternMiner();
    const a = m.add('Received block blk_1234567 of size 67108864 from /10.0.0.1');
    expect(m.template(a)).toBe('Received block <*> of size <*> from <*>');
    const b = m.add('Received block blk_7654321 of size 1024 from /10.0.0.2');
    expect(b).toBe(a);
    const c = m.add('PacketResponder 1 for block blk_1 terminating');
    expect(c).not.toBe(a);
    expect(m.size).toBe(2);
  });

  it('refines a template when a position turns out to vary, id unchanged', () => {
    const m = new PatternMiner();
    const id = m.add('Task T1 state: open at 1.2.3.4');
    expect(m.template(id)).toBe('Task T1 state: open at <*>');
    // `T1` and `T2` are not masked (a short id could be a constant), but a digit-bearing token
    // that was masked on one side generalises.
    expect(m.add('Task <*> state: open at 1.2.3.5')).toBe(id);
    expect(m.template(id)).toBe('Task <*> state: open at <*>');
  });

  it('keeps events apart when two constants differ, however similar the rest', () => {
    const m = new PatternMiner();
    const opened = m.add('connection for user alice opened on port 22');
    const closed = m.add('connection for user alice closed on port 22');
    expect(closed).not.toBe(opened);
    expect(m.template(opened)).toBe('connection for user alice opened on port <*>');
  });

  it('learns a word-valued variable once enough siblings differ only there, and aliases the merged ids', () => {
    const m = new PatternMiner({ variableAfter: 3 });
    const a = m.add('Invalid user admin from 1.2.3.4');
    const b = m.add('Invalid user oracle from 1.2.3.5');
    expect(b).not.toBe(a); // two values: not yet evidence of a variable
    const c = m.add('Invalid user test from 1.2.3.6');
    // Third distinct value: the three merge into the oldest pattern.
    expect(c).toBe(a);
    expect(m.resolve(b)).toBe(a);
    expect(m.template(b)).toBe('Invalid user <*> from <*>');
    expect(m.add('Invalid user guest from 1.2.3.7')).toBe(a);
    expect(m.size).toBe(1);
  });

  it('never turns the first token into a variable by sibling evidence (it names the event)', () => {
    const m = new PatternMiner();
    const ids = ['boot (command 1)', 'wait (command 2)', 'halt (command 3)', 'kill (command 4)'].map((l) => m.add(l));
    expect(new Set(ids).size).toBe(4);
  });

  it('absorbs a more specific pattern once another pattern generalises to cover it', () => {
    const m = new PatternMiner();
    const specific = m.add('Resolved hostA.example.com to rack1');
    const other = m.add('Resolved hostB.example.com to rack1');
    expect(other).not.toBe(specific);
    // A masked host at that position: joins one of them and generalises it over the other.
    const masked = m.add('Resolved 10.0.0.1 to rack1');
    expect(m.resolve(masked)).toBe(m.resolve(specific));
    expect(m.resolve(other)).toBe(m.resolve(specific));
    expect(m.template(specific)).toBe('Resolved <*> to rack1');
  });

  it('holds at most maxPatterns patterns, evicting the least recently matched', () => {
    const m = new PatternMiner({ maxPatterns: 3 });
    const first = m.add('alpha event happened');
    m.add('beta event happened');
    m.add('gamma event happened');
    m.add('alpha event happened'); // alpha is now the most recent; beta the least
    m.add('delta event happened');
    expect(m.size).toBe(3);
    expect(m.template(first)).toBe('alpha event happened');
    expect([...m.listPatterns()].map((p) => p.template)).toEqual(['gamma event happened', 'alpha event happened', 'delta event happened']);
    // A line of the evicted pattern starts a new one.
    expect(m.add('beta event happened')).toBeGreaterThan(first + 3);
  });

  it('round-trips its state through JSON and then behaves exactly as the original', () => {
    const lines = [
      'Invalid user admin from 1.2.3.4',
      'Invalid user oracle from 1.2.3.5',
      'session opened for user root by (uid=0)',
      'Invalid user test from 1.2.3.6',
      'Failed password for root from 1.2.3.4 port 22 ssh2',
      'session closed for user root',
      'Received disconnect from 1.2.3.4: 11: Bye Bye [preauth]',
    ];
    const later = [
      'Invalid user zed from 9.9.9.9',
      'session opened for user news by (uid=0)',
      'Failed password for news from 1.2.3.4 port 22 ssh2',
      'a brand new kind of line',
      'Received disconnect from 5.6.7.8: 11: Bye Bye [preauth]',
    ];
    const original = new PatternMiner({ maxPatterns: 100 });
    const firstIds = lines.map((l) => original.add(l));
    const state = JSON.parse(JSON.stringify(original.snapshot())) as MinerState;
    const restored = PatternMiner.restore(state);
    expect(restored.snapshot()).toEqual(original.snapshot());
    for (const id of firstIds) expect(restored.template(id)).toBe(original.template(id));
    for (const l of later) expect(restored.add(l)).toBe(original.add(l));
    expect(restored.snapshot()).toEqual(original.snapshot());
  });

  it('handles empty and whitespace-only messages as one pattern', () => {
    const m = new PatternMiner();
    const a = m.add('');
    expect(m.add('   ')).toBe(a);
    expect(m.template(a)).toBe('');
  });

  it('refuses bad options and bad state with a clear error', () => {
    expect(() => new PatternMiner({ similarity: 2 })).toThrow(/similarity must be in \[0, 1\]/);
    expect(() => new PatternMiner({ maxPatterns: 0 })).toThrow(/maxPatterns/);
    expect(() => new PatternMiner({ variableAfter: 1 })).toThrow(/variableAfter/);
    expect(() => PatternMiner.restore({ version: 2 } as unknown as MinerState)).toThrow(/unsupported state version 2/);
  });
});
