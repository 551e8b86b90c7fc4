import type { JsonColumn } from './columns.js';
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
 * The earliest end of a lease still running (or, with `after`, ending later than `after`): the
 * timer wakes the loop then, so that a claim takes the task over as soon as its lease expired
 * (while the holder's renewals move the time on, the next poll finds the later one).
 */
export async function earliestLease(sql: Sql, store: TaskStore, after: number | undefined): Promise<number | undefined> {
  const later = after === undefined ? '' : ' AND lease_until > $1';
  const [row] = (await sql(`SELECT lease_until FROM ${store.table} WHERE state = 'dispatched' AND lease_until IS NOT NULL${later} ORDER BY lease_until LIMIT 1`, after === undefined ? [] : [after])).rows;
  const at = row?.['lease_until'];
  return at === null || at === undefined ? undefined : Number(at);
}

/**
 * Puts claimed tasks that never started back to `scheduled`, as they were before the claim (the
 * attempt it counted is given back: that epoch's holder never wrote), where the lease is still held.
 */
export async function releaseLeases(sql: Sql, store: TaskStore, held: readonly Held[]): Promise<void> {
  const statement = `WITH v AS (${store.jsonRows(1, heldColumns)}) UPDATE ${store.table} SET state = $3, attempt = attempt - 1, owner = NULL, dispatched_at = NULL, lease_until = NULL FROM v WHERE id = v.k_id AND attempt = v.k_attempt AND state = $2`;
  await sql(statement, [JSON.stringify(held), 'dispatched', 'scheduled']);
}
