import { WILDCARD } from './masker.js';

/**
 * The search tree of a {@link PatternMiner} (Drain's fixed-depth prefix tree): a root per token
 * count, then one level per leading token, patterns in the leaves. Internal to the lib.
 */

/** A pattern as the tree files it; the miner adds its own fields. */
export interface Pattern {
  readonly id: number;
  tokens: string[];
  template: string;
  count: number;
  lastSeen: number;
  leaf: TreeNode;
  /** The first-token key it is filed under in its leaf's index. */
  filedAs: string;
}

export interface TreeNode {
  readonly parent: TreeNode | undefined;
  readonly key: string;
  readonly children: Map<string, TreeNode>;
  readonly patterns: Pattern[];
  /**
   * The leaf's patterns by their first token (`<*>` for one holding a variable). A line with a
   * constant first token can only join a pattern with that token or a variable there, so a leaf
   * grown large (the shared wildcard branch of a wide node) is not scanned whole.
   */
  readonly byFirst: Map<string, Pattern[]>;
}

/** Widest tree node whose branches a masked token searches all of. */
const MASKED_SCAN_CHILDREN = 16;
/** Leaves smaller than this are scanned whole; the first-token index pays off beyond. */
const INDEXED_SCAN_FROM = 16;

const newNode = (parent: TreeNode | undefined, key: string): TreeNode => ({
  parent,
  key,
  children: new Map(),
  patterns: [],
  byFirst: new Map(),
});

export const firstKey = (tokens: readonly string[]): string => {
  const t = tokens[0];
  return t === undefined || t.includes(WILDCARD) ? WILDCARD : t;
};

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/** Tree key of a token: tokens that are or may be variables share the wildcard branch (Drain). */
const routeKey = (t: string): string => (t.includes(WILDCARD) || hasDigit(t) ? WILDCARD : t);

function remove(list: Pattern[], p: Pattern): void {
  const at = list.indexOf(p);
  if (at >= 0) list.splice(at, 1);
}

/**
 * The patterns of a leaf that a token sequence can relate to at its first position: those with
 * the same first token or a variable there, or all when its own first token holds a variable.
 */
export function leafCandidates(leaf: TreeNode, tokens: readonly string[]): readonly Pattern[] {
  if (leaf.patterns.length < INDEXED_SCAN_FROM || tokens.length === 0) return leaf.patterns;
  const first = firstKey(tokens);
  if (first === WILDCARD) return leaf.patterns;
  const own = leaf.byFirst.get(first);
  const wild = leaf.byFirst.get(WILDCARD);
  return own && wild ? own.concat(wild) : (own ?? wild ?? []);
}

export class PatternTree {
  private readonly roots = new Map<number, TreeNode>();

  constructor(
    private readonly depth: number,
    private readonly maxChildren: number,
  ) {}

  /** Files a pattern in a leaf. */
  attach(leaf: TreeNode, p: Pattern): void {
    p.leaf = leaf;
    leaf.patterns.push(p);
    const key = firstKey(p.tokens);
    p.filedAs = key;
    const list = leaf.byFirst.get(key);
    if (list) list.push(p);
    else leaf.byFirst.set(key, [p]);
  }

  /** Takes a pattern out of its leaf (and the leaf's index, under the key it was filed by). */
  detach(p: Pattern): void {
    remove(p.leaf.patterns, p);
    const list = p.leaf.byFirst.get(p.filedAs);
    if (list) {
      remove(list, p);
      if (list.length === 0) p.leaf.byFirst.delete(p.filedAs);
    }
  }

  /** Moves a pattern to the leaf its (possibly generalised) tokens route to. */
  rehome(p: Pattern): void {
    const leaf = this.leafFor(p.tokens, true);
    if (leaf === p.leaf && p.filedAs === firstKey(p.tokens)) return;
    this.detach(p);
    this.attach(leaf, p);
  }

  /** Tree keys from the token-count level down to a pattern's leaf (for snapshots). */
  pathOf(p: Pattern): string[] {
    const path: string[] = [];
    for (let n: TreeNode | undefined = p.leaf; n; n = n.parent) path.push(n.key);
    return path.reverse();
  }

  /** The leaf at a path from {@link pathOf}, created as needed. */
  leafAt(path: readonly string[]): TreeNode {
    const length = Number(path[0]);
    if (!Number.isInteger(length) || length < 0) throw new Error(`pattern tree: bad path ${JSON.stringify(path)}`);
    let node = this.root(length);
    for (let i = 1; i < path.length; i++) {
      const key = path[i]!;
      let child = node.children.get(key);
      if (!child) node.children.set(key, (child = newNode(node, key)));
      node = child;
    }
    return node;
  }

  /** The leaf a token sequence routes to (created when asked), as Drain's tree search. */
  leafFor(tokens: readonly string[], create: boolean): TreeNode {
    let node = this.root(tokens.length);
    const depth = Math.min(this.depth, tokens.length);
    for (let d = 0; d < depth; d++) {
      let key = routeKey(tokens[d]!);
      let child = node.children.get(key);
      if (!child) {
        if (key !== WILDCARD && node.children.size >= this.maxChildren) {
          key = WILDCARD;
          child = node.children.get(key);
        }
        if (!child) {
          child = newNode(node, key);
          if (create) node.children.set(key, child);
        }
      }
      node = child;
    }
    return node;
  }

  /**
   * Leaves a token sequence may find its pattern in: at each level its own key or the wildcard
   * branch (where patterns go once a prefix position became a variable); every branch where the
   * token itself is masked; with `anyAt`, every branch of that one level (to find siblings that
   * differ there).
   */
  candidateLeaves(tokens: readonly string[], anyAt: number, out: TreeNode[]): void {
    const depth = Math.min(this.depth, tokens.length);
    const root = this.roots.get(tokens.length);
    if (!root) return;
    const walk = (node: TreeNode, d: number): void => {
      if (d === depth) {
        if (node.patterns.length > 0) out.push(node);
        return;
      }
      if (d === anyAt) {
        for (const child of node.children.values()) walk(child, d + 1);
        return;
      }
      const key = routeKey(tokens[d]!);
      // A masked value may stand where a pattern still holds a constant (it then generalises).
      // Only in narrow nodes: a wide one would make every such line scan the whole subtree.
      if (tokens[d] === WILDCARD && node.children.size <= MASKED_SCAN_CHILDREN) {
        for (const child of node.children.values()) walk(child, d + 1);
        return;
      }
      const own = node.children.get(key);
      if (own) walk(own, d + 1);
      if (key !== WILDCARD) {
        const wild = node.children.get(WILDCARD);
        if (wild) walk(wild, d + 1);
      }
    };
    walk(root, 0);
  }

  private root(length: number): TreeNode {
    let node = this.roots.get(length);
    if (!node) this.roots.set(length, (node = newNode(undefined, String(length))));
    return node;
  }
}
