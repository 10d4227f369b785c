import { createRequire } from 'node:module';
import type * as GraphQL from 'graphql';

/**
 * graphql-js, loaded as the one instance the rest of the process uses. graphql 16 ships both a
 * CommonJS and an ES build; Node resolves `import 'graphql'` to the CommonJS one everywhere
 * (no `exports` map), but Vite (vitest) prefers the `module` field for our sources while Nest
 * and Apollo keep Node's. Two instances break graphql-js' `instanceof` checks (our scalars
 * become "cannot determine a GraphQL output type"), so values come from `require` here.
 */
const graphql = createRequire(import.meta.url)('graphql') as typeof GraphQL;

export const { GraphQLError, GraphQLScalarType, Kind, specifiedRules, validate } = graphql;
export type GraphQLError = GraphQL.GraphQLError;
