import { toNumber } from './columns.js';
import { wakeFrom } from './lease-sql.js';
import type { Row } from './task-row.js';
import type { Claimed } from './task-store.js';

/*
 * PostgreSQL's claim statements, in parts. Parameters: `$2` the owner, `$3` the lease in ms, `$4`
 * the limit; the time comes from the CTE `t` (`k_now`), read once per statement, so that the due
 * check, the dispatch time and the lease end agree.
 */

/** The UPDATE that moves scheduled rows to dispatched under a lease (its WHERE follows). */
export function claimSet(table: string): string {
  return `UPDATE ${table} SET state = 'dispatched', dispatched_at = (SELECT k_now FROM t), owner = $2, attempt = attempt + 1, lease_until = (SELECT k_now FROM t) + $3`;
}

/**
 * The UPDATE that takes over dispatched rows whose lease ended: a new attempt (the new fencing
 * token, which refuses the old holder's writes), flagged `recovered`. `filters` limit it to the
 * works the process can run, as the claim is.
 */
export function takeoverSql(table: string, filters: string): string {
  const expired = `SELECT id FROM ${table} WHERE state = 'dispatched' AND lease_until < (SELECT k_now FROM t)${filters} ORDER BY lease_until LIMIT $4 FOR UPDATE SKIP LOCKED`;
  return `UPDATE ${table} SET dispatched_at = (SELECT k_now FROM t), owner = $2, attempt = attempt + 1, recovered = true, lease_until = (SELECT k_now FROM t) + $3 WHERE id IN (${expired})`;
}

/**
 * The rows of `SELECT t.k_now, c.* FROM t LEFT JOIN (taken UNION ALL claimed) c`: one row with null
 * columns when nothing was taken; with `wakeColumns` after `t.k_now`, also the claim's `later`.
 */
export function claimedFrom(rows: readonly Row[]): Claimed {
  const first = rows[0];
  const taken = rows.filter((row) => row['id'] !== null && row['id'] !== undefined);
  return {
    rows: taken,
    takenOver: new Set(taken.filter((row) => row['k_taken'] === true).map((row) => row['id'])),
    ...(first === undefined ? {} : { dbNow: toNumber(first['k_now']) }),
    ...(first === undefined || !('k_due' in first) ? {} : { later: { at: wakeFrom(first) } }),
  };
}
