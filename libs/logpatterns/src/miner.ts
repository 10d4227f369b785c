import { WILDCARD, maskTokens } from './masker.js';
import { SAME, SOFT, compareTokens, generaliseToken, siblingDifference } from './tokens.js';
import { PatternTree, leafCandidates, type Pattern, type TreeNode } from './tree.js';

/** Settings of a {@link PatternMiner}. One set serves every log source: nothing here names a system. */
export interface MinerOptions {
  /** Prefix tokens used as tree levels below the token-count level (Drain's depth − 2). */
  readonly depth: number;
  /** Minimum fraction of positions that must agree for a line to join a pattern. */
  readonly similarity: number;
  /** Children per tree node before new tokens share the wildcard child (bounds the tree's fan-out). */
  readonly maxChildren: number;
  /**
   * Distinct constants seen at one position, among patterns that agree everywhere else, that
   * make that position a variable (the patterns then merge).
   */
  readonly variableAfter: number;
  /** Patterns kept at most; beyond it the least recently matched pattern is evicted. */
  readonly maxPatterns: number;
}

export const DEFAULT_MINER_OPTIONS: MinerOptions = {
  depth: 2,
  similarity: 0.5,
  maxChildren: 100,
  variableAfter: 3,
  maxPatterns: 20_000,
};

/** A pattern as stored in a snapshot. */
export interface PatternState {
  readonly id: number;
  readonly tokens: readonly string[];
  readonly count: number;
  readonly lastSeen: number;
  /** Tree keys from the token-count level down to the pattern's leaf. */
  readonly path: readonly string[];
}

/** Serialisable state of a miner: plain JSON. */
export interface MinerState {
  readonly version: 1;
  readonly options: MinerOptions;
  readonly nextId: number;
  readonly clock: number;
  /** Least recently matched first. */
  readonly patterns: readonly PatternState[];
  /** Ids merged into others, oldest merge first: `[from, to]`. */
  readonly aliases: readonly (readonly [number, number])[];
}

/** A read-only view of one pattern. */
export interface PatternInfo {
  readonly id: number;
  readonly template: string;
  readonly count: number;
}

/**
 * Online log-template miner. Each {@link add}ed message gets a pattern id at once; the pattern's
 * template (`<*>` for variable parts) generalises as later lines show which parts vary, and the
 * id stays the same. Built on Drain (He et al., ICWS 2017): a fixed-depth tree keyed by token
 * count and the first tokens leads to a few candidate patterns, the most similar one is taken.
 * Three changes make it hold up without per-system settings:
 *
 * - a line may join a pattern only where their differences are variables (masked values, or a
 *   template position already `<*>`): two different constants never merge on similarity alone,
 *   which is what makes Drain's similarity threshold system-specific;
 * - instead, a position becomes a variable when `variableAfter` patterns agree everywhere but
 *   there (Brain's observation, Yu et al. 2023, that constants share their frequency and
 *   variables scatter, made online): those patterns merge into the oldest;
 * - a pattern whose template generalises absorbs the patterns it now covers.
 *
 * Merged-away ids become aliases of the surviving one ({@link resolve}), so ids already handed
 * out stay meaningful. Memory is bounded: at most `maxPatterns` patterns (least recently matched
 * evicted) and as many aliases (oldest forgotten).
 */
export class PatternMiner {
  readonly options: MinerOptions;
  private readonly tree: PatternTree;
  /** Live patterns in least-recently-matched order (a Map keeps insertion order). */
  private readonly patterns = new Map<number, Pattern>();
  private readonly aliases = new Map<number, number>();
  private nextId = 1;
  private clock = 0;

  constructor(options: Partial<MinerOptions> = {}) {
    const o = { ...DEFAULT_MINER_OPTIONS, ...options };
    if (!Number.isInteger(o.depth) || o.depth < 0) throw new Error(`PatternMiner: depth must be an integer ≥ 0, got ${o.depth}`);
    if (!(o.similarity >= 0 && o.similarity <= 1)) throw new Error(`PatternMiner: similarity must be in [0, 1], got ${o.similarity}`);
    if (!Number.isInteger(o.maxChildren) || o.maxChildren < 1) throw new Error(`PatternMiner: maxChildren must be an integer ≥ 1, got ${o.maxChildren}`);
    if (!Number.isInteger(o.variableAfter) || o.variableAfter < 2) throw new Error(`PatternMiner: variableAfter must be an integer ≥ 2, got ${o.variableAfter}`);
    if (!Number.isInteger(o.maxPatterns) || o.maxPatterns < 1) throw new Error(`PatternMiner: maxPatterns must be an integer ≥ 1, got ${o.maxPatterns}`);
    this.options = o;
    this.tree = new PatternTree(o.depth, o.maxChildren);
  }

  /** Assigns a message (the free-text part of a log line) to a pattern; returns the pattern id. */
  add(message: string): number {
    return this.addTokens(maskTokens(message));
  }

  /** As {@link add}, for a message already split and masked by {@link maskTokens}. */
  addTokens(tokens: string[]): number {
    this.clock++;
    const best = this.bestMatch(tokens);
    if (best) {
      this.touch(best);
      let generalised = false;
      const t = best.tokens;
      for (let i = 0; i < t.length; i++) {
        if (t[i] !== tokens[i]) {
          const g = generaliseToken(t[i]!, tokens[i]!);
          if (g !== t[i]) {
            t[i] = g;
            generalised = true;
          }
        }
      }
      best.count++;
      if (!generalised) return best.id;
      best.template = t.join(' ');
      return this.afterGeneralised(best).id;
    }
    const leaf = this.tree.leafFor(tokens, true);
    const created: Pattern = { id: this.nextId++, tokens, template: tokens.join(' '), count: 1, lastSeen: this.clock, leaf, filedAs: '' };
    this.tree.attach(leaf, created);
    this.patterns.set(created.id, created);
    if (this.patterns.size > this.options.maxPatterns) this.evictOldest();
    return this.mergeSiblings(created).id;
  }

  /** The id a pattern id now stands for, following merges (itself when never merged). */
  resolve(id: number): number {
    let cur = id;
    for (let next = this.aliases.get(cur); next !== undefined; next = this.aliases.get(cur)) cur = next;
    return cur;
  }

  /** The current template of a pattern (following merges), or undefined when unknown or evicted. */
  template(id: number): string | undefined {
    return this.patterns.get(this.resolve(id))?.template;
  }

  /** Live patterns, most recently matched last. */
  *listPatterns(): IterableIterator<PatternInfo> {
    for (const p of this.patterns.values()) yield { id: p.id, template: p.template, count: p.count };
  }

  get size(): number {
    return this.patterns.size;
  }

  snapshot(): MinerState {
    const patterns: PatternState[] = [];
    for (const p of this.patterns.values()) {
      patterns.push({ id: p.id, tokens: [...p.tokens], count: p.count, lastSeen: p.lastSeen, path: this.tree.pathOf(p) });
    }
    return {
      version: 1,
      options: { ...this.options },
      nextId: this.nextId,
      clock: this.clock,
      patterns,
      aliases: [...this.aliases.entries()],
    };
  }

  /** Rebuilds a miner from {@link snapshot}; it then behaves exactly as the one snapshotted. */
  static restore(state: MinerState): PatternMiner {
    if (state?.version !== 1) throw new Error(`PatternMiner.restore: unsupported state version ${String(state?.version)}`);
    const miner = new PatternMiner(state.options);
    miner.nextId = state.nextId;
    miner.clock = state.clock;
    for (const s of state.patterns) {
      if (s.path.length < 1 || Number(s.path[0]) !== s.tokens.length) {
        throw new Error(`PatternMiner.restore: pattern ${s.id} has a path that does not start with its token count`);
      }
      const leaf = miner.tree.leafAt(s.path);
      const tokens = [...s.tokens];
      const p: Pattern = { id: s.id, tokens, template: tokens.join(' '), count: s.count, lastSeen: s.lastSeen, leaf, filedAs: '' };
      miner.tree.attach(leaf, p);
      miner.patterns.set(p.id, p);
    }
    for (const [from, to] of state.aliases) miner.aliases.set(from, to);
    return miner;
  }

  private touch(p: Pattern): void {
    p.lastSeen = this.clock;
    this.patterns.delete(p.id);
    this.patterns.set(p.id, p);
  }

  private evictOldest(): void {
    const oldest = this.patterns.values().next().value;
    if (!oldest) return;
    this.tree.detach(oldest);
    this.patterns.delete(oldest.id);
  }

  private readonly leafScratch: TreeNode[] = [];

  private bestMatch(tokens: readonly string[]): Pattern | undefined {
    const leaves = this.leafScratch;
    leaves.length = 0;
    this.tree.candidateLeaves(tokens, -1, leaves);
    const n = tokens.length;
    let best: Pattern | undefined;
    let bestSim = -1;
    let bestParams = -1;
    for (const leaf of leaves) {
      for (const p of leafCandidates(leaf, tokens)) {
        let same = 0;
        let params = 0;
        let hard = false;
        const t = p.tokens;
        for (let i = 0; i < n; i++) {
          const a = t[i]!;
          const b = tokens[i]!;
          if (a === b) {
            same++;
            continue;
          }
          // A variable position takes the line's constant but is no evidence of likeness (Drain).
          if (a === WILDCARD) {
            params++;
            continue;
          }
          const c = compareTokens(a, b);
          if (c === SAME) same++;
          else if (c !== SOFT) {
            hard = true;
            break;
          }
        }
        if (hard) continue;
        const sim = n === 0 ? 1 : same / n;
        // Ties go to the more general pattern, so specific duplicates are not fed.
        if (sim > bestSim || (sim === bestSim && params > bestParams)) {
          best = p;
          bestSim = sim;
          bestParams = params;
        }
      }
    }
    leaves.length = 0;
    return best && bestSim >= this.options.similarity ? best : undefined;
  }

  /** Patterns that sit in leaves a pattern's tokens may reach, itself excluded. */
  private neighbours(p: Pattern, anyAt: number): Pattern[] {
    const leaves: TreeNode[] = [];
    this.tree.candidateLeaves(p.tokens, anyAt, leaves);
    const out: Pattern[] = [];
    // Neither siblings (never different at the first token) nor covered patterns can have
    // another constant there, so the leaf's first-token index applies.
    for (const leaf of new Set(leaves)) for (const q of leafCandidates(leaf, p.tokens)) if (q !== p) out.push(q);
    return out;
  }

  /** After a template generalised: move it if its route changed, and absorb what it now covers. */
  private afterGeneralised(p: Pattern): Pattern {
    this.tree.rehome(p);
    let keep = p;
    for (const q of this.neighbours(p, -1)) {
      if (!this.patterns.has(q.id) || !this.patterns.has(keep.id)) continue;
      let covers = true;
      for (let i = 0; i < q.tokens.length; i++) {
        if (keep.tokens[i] !== q.tokens[i] && compareTokens(keep.tokens[i]!, q.tokens[i]!) !== SAME) {
          covers = false;
          break;
        }
      }
      if (covers) keep = this.merge(keep, q);
    }
    return keep;
  }

  /**
   * Brain's observation, made online: among patterns that agree everywhere but at one position,
   * a position that has taken `variableAfter` distinct constants is a variable, and they merge.
   */
  private mergeSiblings(p: Pattern): Pattern {
    const n = p.tokens.length;
    const byPosition = new Map<number, Pattern[]>();
    // Least constant context the siblings at each position share.
    const sharedAt = new Map<number, number>();
    const shared = { count: 0 };
    const depth = Math.min(this.options.depth, n);
    // Siblings differing at a tree level sit in other branches of that level; the others share p's leaves.
    const seen = new Set<Pattern>();
    // Level 0 is skipped: siblings never differ at the first token.
    for (let anyAt = -1; anyAt < depth; anyAt++) {
      if (anyAt === 0) continue;
      for (const s of this.neighbours(p, anyAt)) {
        if (seen.has(s)) continue;
        seen.add(s);
        const at = siblingDifference(s.tokens, p.tokens, shared);
        if (at < 0 || shared.count === 0) continue;
        let list = byPosition.get(at);
        if (!list) byPosition.set(at, (list = []));
        list.push(s);
        sharedAt.set(at, Math.min(sharedAt.get(at) ?? Infinity, shared.count));
      }
    }
    for (const [at, siblings] of byPosition) {
      // With a single shared constant word (`removing chargen`, `removing echo`) twice the
      // evidence is asked for: the line is mostly the differing word.
      const needed = sharedAt.get(at)! >= 2 ? this.options.variableAfter : 2 * this.options.variableAfter;
      if (siblings.length + 1 < needed) continue;
      let keep = p;
      for (const s of siblings) keep = this.merge(keep, s);
      return this.afterGeneralised(keep);
    }
    return p;
  }

  /** Merges two patterns into the older one (whose id survives); the other becomes its alias. */
  private merge(a: Pattern, b: Pattern): Pattern {
    const [keep, gone] = a.id < b.id ? [a, b] : [b, a];
    for (let i = 0; i < keep.tokens.length; i++) {
      if (keep.tokens[i] !== gone.tokens[i]) keep.tokens[i] = generaliseToken(keep.tokens[i]!, gone.tokens[i]!);
    }
    keep.template = keep.tokens.join(' ');
    keep.count += gone.count;
    if (gone.lastSeen > keep.lastSeen) keep.lastSeen = gone.lastSeen;
    this.tree.detach(gone);
    this.patterns.delete(gone.id);
    this.aliases.set(gone.id, keep.id);
    if (this.aliases.size > this.options.maxPatterns) {
      const oldest = this.aliases.keys().next().value;
      if (oldest !== undefined) this.aliases.delete(oldest);
    }
    this.tree.rehome(keep);
    return keep;
  }
}
