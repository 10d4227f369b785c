import { Catch, Logger } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError } from './graphql-runtime.js';

/**
 * Hands coded errors back to GraphQL as they are. Without it Nest logs every resolver error at
 * error level, so a user's typo in PromQL would read like a server fault; only INTERNAL ones
 * are logged here.
 */
@Catch(GraphQLError)
export class CodedErrorsFilter implements GqlExceptionFilter {
  private readonly logger = new Logger('GraphQL');

  catch(error: GraphQLError): GraphQLError {
    if (error.extensions['code'] === 'INTERNAL') this.logger.error(error.message);
    return error;
  }
}
