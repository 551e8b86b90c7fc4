import type { EntitySchemaColumnOptions, ValueTransformer } from 'typeorm';
import { parseFrozenJson, toJsonText } from '../../task/json.js';
import type { JsonValue } from '../../task/task.js';
import type { Row } from './task-row.js';

/**
 * How kokugen's records are stored, field by field: the machinery under the tables in
 * task-columns.ts and series-columns.ts, from which the SQL column lists, the row mappers and the
 * TypeORM entities are derived.
 */

/** A column's SQL type, as the migrations create it; also what a JSON parameter's value is cast to. */
export type SqlType = 'varchar' | 'text' | 'bigint' | 'integer' | 'double precision' | 'boolean';

/** A column of rows passed as a JSON parameter: its name and the SQL type its value is cast to. */
export type JsonColumn = readonly [name: string, type: SqlType];

/** How a field's value becomes a query parameter, and comes back from what the drivers return. */
export interface Codec {
  readonly write: (value: unknown, what: string) => unknown;
  readonly read: (raw: unknown) => unknown;
}

export interface Column {
  /** The column's name in SQL. */
  readonly name: string;
  readonly type: SqlType;
  readonly length?: number;
  /** Null stays null, both ways (the codec sees only other values). */
  readonly nullable?: true;
  readonly codec: Codec;
  /** Every new task starts with the same value here (`createdTask`), not with one of its own. */
  readonly fresh?: true;
}

/** A table: its columns by field name, in column order. */
export type ColumnTable = Readonly<Record<string, Column>>;

/** pg gives BIGINT as a string (it may exceed 2^53); kokugen's times and seqs never do. */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

/** SQLite gives booleans as 0/1. */
export function toBoolean(value: unknown): boolean {
  return value === true || value === 1;
}

export function parseJson(text: unknown): JsonValue {
  return parseFrozenJson(text as string);
}

export function parseNullableJson(text: unknown): JsonValue {
  return text === null || text === undefined ? null : parseJson(text);
}

/** Text as it is. */
export const text: Codec = { write: (value) => value, read: (raw) => raw };
/** JSON kept as text (not jsonb), so that key order and number spelling come back byte-identical. */
export const json: Codec = { write: (value, what) => toJsonText(value, what), read: parseJson };
export const number: Codec = { write: (value) => value, read: toNumber };
export const boolean: Codec = { write: (value) => value, read: toBoolean };

/** A column's value as a query parameter. */
export function writeColumn(column: Column, value: unknown, what: string): unknown {
  return column.nullable === true && value === null ? null : column.codec.write(value, what);
}

/** A column's value from what a driver returned for it. */
export function readColumn(column: Column, raw: unknown): unknown {
  return column.nullable === true && (raw === null || raw === undefined) ? null : column.codec.read(raw);
}

/** The fields of `table`, in column order. */
export function fieldsOf<T extends ColumnTable>(table: T): ReadonlyArray<keyof T & string> {
  return Object.keys(table);
}

/** `a, b, c`: the column names of `table`, in order, for SELECT, RETURNING and INSERT. */
export function columnList(table: ColumnTable): string {
  return Object.values(table)
    .map((column) => column.name)
    .join(', ');
}

/** A row of `table`'s columns read into a frozen record of its fields (the generic mapper, for rows off the hot paths). */
export function readRow(table: ColumnTable, row: Row, skip: readonly string[] = []): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(table)) if (!skip.includes(field)) record[field] = readColumn(column, row[column.name]);
  return Object.freeze(record);
}

/** The values of `record` as query parameters, in `table`'s column order. */
export function rowValues(table: ColumnTable, record: Readonly<Record<string, unknown>>, prefix = ''): unknown[] {
  return Object.entries(table).map(([field, column]) => writeColumn(column, record[field], `${prefix}${field}`));
}

/** pg gives BIGINT as a string; the entities read times and seqs as numbers, as kokugen does. */
export const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** The TypeORM entity columns of `table`, as the migrations create them; `extra` adds options to some (the primary key). */
export function entityColumns(table: ColumnTable, extra: Readonly<Record<string, Partial<EntitySchemaColumnOptions>>> = {}): Record<string, EntitySchemaColumnOptions> {
  const columns: Record<string, EntitySchemaColumnOptions> = {};
  for (const [field, column] of Object.entries(table)) {
    columns[field] = {
      ...(column.name === field ? {} : { name: column.name }),
      type: column.type,
      ...(column.length === undefined ? {} : { length: column.length }),
      ...(column.nullable === true ? { nullable: true } : {}),
      ...(column.type === 'bigint' ? { transformer: epochMs } : {}),
      ...extra[field],
    };
  }
  return columns;
}
