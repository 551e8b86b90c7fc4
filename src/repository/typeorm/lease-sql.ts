import type { JsonColumn } from './columns.js';
import type { Row } from './task-row.js';
import type { Sql, TaskStore } from './task-store.js';

/** A held lease: the task and the attempt (the fencing token) it was claimed for. */
export type Held = readonly [id: string, attempt: number];

const heldColumns: readonly JsonColumn[] = [
  ['k_id', 'text'],
  ['k_attempt', 'integer'],
];

/**
 * Renews the leases of `held` in one statement, each a compare-and-set on (id, attempt, dispatched):
 * returns the ids renewed; the others were lost (taken over, or ended).
 */
export async function renewLeases(sql: Sql, store: TaskStore, held: readonly Held[], lease: number, now: number): Promise<Set<unknown>> {
  const at = store.nowSql(4);
  const statement = `WITH v AS (${store.jsonRows(1, heldColumns)}) UPDATE ${store.table} SET lease_until = CAST(${at} AS bigint) + CAST($3 AS bigint) FROM v WHERE id = v.k_id AND attempt = v.k_attempt AND state = $2 RETURNING id`;
  // The caller's time travels only where the statement reads it: PostgreSQL refuses a parameter it cannot type.
  const { rows } = await sql(statement, at === '$4' ? [JSON.stringify(held), 'dispatched', lease, now] : [JSON.stringify(held), 'dispatched', lease]);
  return new Set(rows.map((row) => row['id']));
}

/**
 * When the timer should wake, in one read: the earliest scheduled time, or one ms after the
 * earliest end of a lease still running (then it is expired, and a claim takes the task over; while
 * its holder renews it, the next poll finds the later end). With `after`, only times later than
 * `after` (see `DuePoller.refresh`). Each subquery walks a partial index to its first entry.
 */
export async function earliestWake(sql: Sql, store: TaskStore, after: number | undefined): Promise<number | undefined> {
  const [row] = (await sql(`SELECT ${wakeColumns(store.table, after === undefined ? undefined : '$1')}`, after === undefined ? [] : [after])).rows;
  return row === undefined ? undefined : wakeFrom(row);
}

/**
 * `earliestWake`'s two columns (`k_due`, `k_lease`) for a select list, with `after` the SQL of the
 * time to look past (or undefined); a claim adds them to its own statement (see PostgresStore.claim).
 */
export function wakeColumns(table: string, after: string | undefined): string {
  const later = (column: string): string => (after === undefined ? '' : ` AND ${column} > ${after}`);
  const due = `SELECT scheduled_at FROM ${table} WHERE state = 'scheduled'${later('scheduled_at')} ORDER BY scheduled_at, priority DESC, seq LIMIT 1`;
  const lease = `SELECT lease_until FROM ${table} WHERE state = 'dispatched' AND lease_until IS NOT NULL${later('lease_until')} ORDER BY lease_until LIMIT 1`;
  return `(${due}) AS k_due, (${lease}) AS k_lease`;
}

/** The wake time of a row with `wakeColumns`: the earliest due time, or a ms after the earliest lease end. */
export function wakeFrom(row: Row): number | undefined {
  const at = row['k_due'];
  const end = row['k_lease'];
  const dueAt = at === null || at === undefined ? undefined : Number(at);
  return end === null || end === undefined ? dueAt : Math.min(dueAt ?? Infinity, Number(end) + 1);
}

/**
 * Puts claimed tasks that never started back to `scheduled`, as they were before the claim (the
 * attempt it counted is given back: that epoch's holder never wrote), where the lease is still held.
 */
export async function releaseLeases(sql: Sql, store: TaskStore, held: readonly Held[]): Promise<void> {
  const statement = `WITH v AS (${store.jsonRows(1, heldColumns)}) UPDATE ${store.table} SET state = $3, attempt = attempt - 1, owner = NULL, dispatched_at = NULL, lease_until = NULL FROM v WHERE id = v.k_id AND attempt = v.k_attempt AND state = $2`;
  await sql(statement, [JSON.stringify(held), 'dispatched', 'scheduled']);
}
