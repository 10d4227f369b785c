import type { PositionRange } from '../ast.js';
import { lineColumn } from './go-text.js';

/**
 * A PromQL text that is not valid. `message` follows Prometheus: `<line>:<col>: parse error: <reason>`
 * when the problem has a position, so users and the comparison harness see the same wording.
 */
export class PromQLParseError extends Error {
  override readonly name = 'PromQLParseError';

  constructor(
    message: string,
    /** Where the problem is, as a character range of the query (absent for whole-input problems). */
    readonly position?: PositionRange,
    /** The reason alone, without the position prefix. */
    readonly reason: string = message,
  ) {
    super(message);
  }

  /** An error at `pos` of `query`, worded as Prometheus' `ParseErr`. */
  static at(query: string, pos: PositionRange, reason: string): PromQLParseError {
    return new PromQLParseError(`${lineColumn(query, pos.start)}: parse error: ${reason}`, pos, reason);
  }
}
