import { SchemaMissingError } from '../../errors.js';
import { driverCode } from './task-store.js';

/**
 * A driver's "no such table / column / sequence" of kokugen's schema, as the typed error that
 * says which migrations to run; any other error as it is. The repository's constructor cannot
 * check the schema (it is synchronous), so the first statement that meets a missing one says so.
 */
export function asSchemaError(error: unknown): unknown {
  const code = driverCode(error);
  const message = error instanceof Error ? error.message : '';
  // PostgreSQL: undefined_table (tables and sequences), undefined_column. SQLite says it in words.
  const missing = code === '42P01' || code === '42703' || /no such (table|column)/.test(message);
  return missing ? new SchemaMissingError(message, { cause: error }) : error;
}
