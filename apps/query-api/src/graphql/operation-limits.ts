import type { ASTVisitor, FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';
import { GraphQLError, Kind } from './graphql-runtime.js';

/** Fields that evaluate PromQL or scan the series index cost this much instead of 1. */
const FIELD_COST: Readonly<Record<string, number>> = {
  instantQuery: 20,
  rangeQuery: 50,
  liveRangeQuery: 50,
  series: 20,
  labelNames: 10,
  labelValues: 10,
  metricMetadata: 5,
};

export interface OperationLimits {
  readonly maxDepth: number;
  readonly maxComplexity: number;
}

/**
 * Introspection (`__schema`, `__type`) nests `ofType` deeply by design (graphql-js' own
 * introspection query is 13 levels), so it has its own, larger depth limit rather than none:
 * unbounded `fields { type { fields … } }` chains are a known way to overload a server.
 */
export const INTROSPECTION_MAX_DEPTH = 16;

interface Measure {
  depth: number;
  cost: number;
  introspectionDepth: number;
}

/**
 * A validation rule refusing operations nested deeper than `maxDepth` (QUERY_TOO_DEEP) or
 * costing more than `maxComplexity` (QUERY_TOO_COMPLEX), before anything is resolved.
 * Apollo re-codes validation errors as GRAPHQL_VALIDATION_FAILED; the `limit` extension lets
 * the gateway's error formatter restore these codes. Fragments are expanded; introspection has its own depth limit ({@link INTROSPECTION_MAX_DEPTH}).
 */
export function operationLimitsRule(limits: OperationLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node: OperationDefinitionNode) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
      const m = measure(node.selectionSet, fragments, new Set(), new Map());
      const name = node.name ? ` "${node.name.value}"` : '';
      const tooDeep =
        m.depth > limits.maxDepth
          ? { depth: m.depth, maxDepth: limits.maxDepth, what: 'levels deep' }
          : m.introspectionDepth > INTROSPECTION_MAX_DEPTH
            ? { depth: m.introspectionDepth, maxDepth: INTROSPECTION_MAX_DEPTH, what: 'levels deep in introspection' }
            : undefined;
      if (tooDeep) {
        context.reportError(
          new GraphQLError(`operation${name} is ${tooDeep.depth} ${tooDeep.what}; at most ${tooDeep.maxDepth} are allowed`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_DEEP', limit: 'depth', depth: tooDeep.depth, maxDepth: tooDeep.maxDepth },
          }),
        );
      }
      if (m.cost > limits.maxComplexity) {
        context.reportError(
          new GraphQLError(`operation${name} costs ${m.cost}; at most ${limits.maxComplexity} is allowed (split the request)`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'complexity', complexity: m.cost, maxComplexity: limits.maxComplexity },
          }),
        );
      }
    },
  });
}

/** Fragment measures are memoised: a fragment spread many times costs one walk, not a tree of them. */
function measure(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  visiting: Set<string>,
  done: Map<string, Measure>,
): Measure {
  let depth = 0;
  let cost = 0;
  let introspectionDepth = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const name = sel.name.value;
      const inner = sel.selectionSet ? measure(sel.selectionSet, fragments, visiting, done) : { depth: 0, cost: 0, introspectionDepth: 0 };
      if (name === '__schema' || name === '__type') introspectionDepth = Math.max(introspectionDepth, 1 + inner.depth);
      else depth = Math.max(depth, 1 + inner.depth);
      introspectionDepth = Math.max(introspectionDepth, inner.introspectionDepth);
      cost += (FIELD_COST[name] ?? 1) + inner.cost;
    } else {
      let inner: Measure;
      if (sel.kind === Kind.INLINE_FRAGMENT) inner = measure(sel.selectionSet, fragments, visiting, done);
      else {
        const fragName = sel.name.value;
        const fragment = fragments.get(fragName);
        // Unknown or cyclic fragments are reported by graphql's own rules.
        if (fragment === undefined || visiting.has(fragName)) continue;
        const known = done.get(fragName);
        if (known) inner = known;
        else {
          visiting.add(fragName);
          inner = measure(fragment.selectionSet, fragments, visiting, done);
          visiting.delete(fragName);
          done.set(fragName, inner);
        }
      }
      depth = Math.max(depth, inner.depth);
      introspectionDepth = Math.max(introspectionDepth, inner.introspectionDepth);
      cost += inner.cost;
    }
  }
  return { depth, cost, introspectionDepth };
}
