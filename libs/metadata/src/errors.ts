/**
 * Errors of the metadata store. Callers branch on the class (an HTTP edge maps them to 409,
 * 404 and 400); the message names the record and the field.
 */
export class MetadataError extends Error {
  override readonly name: string = 'MetadataError';
}

/** A unique key is taken: a second tenant with the same id, a second user with the same login. */
export class DuplicateRecordError extends MetadataError {
  override readonly name = 'DuplicateRecordError';
}

/** The record to change or delete does not exist (for the tenant named). */
export class RecordNotFoundError extends MetadataError {
  override readonly name = 'RecordNotFoundError';
}

/** An update named a version that is no longer current: someone else saved in between. */
export class VersionConflictError extends MetadataError {
  override readonly name = 'VersionConflictError';
  constructor(
    message: string,
    readonly currentVersion: number,
  ) {
    super(message);
  }
}

/** The input breaks a rule of the store (format, length, a reference to another tenant's row). */
export class InvalidRecordError extends MetadataError {
  override readonly name = 'InvalidRecordError';
}

/**
 * Turns a driver's constraint violation into a store error. SQLite (better-sqlite3) reports
 * `code: 'SQLITE_CONSTRAINT_UNIQUE' | 'SQLITE_CONSTRAINT_PRIMARYKEY' | 'SQLITE_CONSTRAINT_FOREIGNKEY'`,
 * PostgreSQL SQLSTATE `23505` (unique) and `23503` (foreign key); TypeORM wraps both in a
 * QueryFailedError that keeps `driverError`.
 */
export function translateDriverError(err: unknown, what: { duplicate: string; reference?: string }): unknown {
  const code = driverCode(err);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') {
    return new DuplicateRecordError(what.duplicate);
  }
  if ((code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') && what.reference !== undefined) {
    return new InvalidRecordError(what.reference);
  }
  return err;
}

function driverCode(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const driverError = (err as { driverError?: unknown }).driverError ?? err;
  const code = (driverError as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
