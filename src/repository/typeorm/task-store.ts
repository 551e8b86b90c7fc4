import type { DataSource, QueryRunner } from 'typeorm';
import { toNumber } from './columns.js';
import type { JsonColumn } from './columns.js';
import { taskColumns } from './task-columns.js';
import type { Row } from './task-row.js';

/** Runs one statement. SQL is written with `$1, $2...` placeholders; values only ever travel as parameters. */
export type Sql = (text: string, params?: readonly unknown[]) => Promise<SqlResult>;

export interface SqlResult {
  readonly rows: readonly Row[];
  readonly affected: number;
}

/**
 * What differs between the databases, behind one small interface: how a transaction takes its
 * locks, how a claim is made safe against other processes, and how a unique violation looks.
 * Everything else in `TypeOrmRepository` is the same SQL on both.
 */
export interface TaskStore {
  readonly table: string;
  /** The row-lock clause for a read-then-write inside `write` ('' where the whole file is locked). */
  readonly forUpdate: string;
  /** One read; never inside a transaction of another caller. */
  read<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** One transaction that holds the write lock it needs from its first statement; all or nothing. */
  write<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * `count` new creation-order numbers for `table` (kokugen's tasks or series table), increasing,
   * inside the transaction of `sql` (kokugen's own, or a caller's it joined), without a lock that
   * would make other adders wait for that transaction.
   */
  nextSeqs(sql: Sql, table: string, count: number): Promise<number[]>;
  /**
   * The SQL expression for `table`'s next creation-order number inside any statement, where taking
   * one needs no lock and no transaction (a sequence); undefined where numbers are taken under the
   * transaction's write lock (SQLite).
   */
  nextSeqSql(table: string): string | undefined;
  /**
   * Moves up to `limit` due tasks to `dispatched` as the request allows, under a lease, and takes
   * over up to `limit` dispatched tasks whose lease expired, atomically (one transaction, or one
   * statement); returns their new rows in any order.
   */
  claim(request: ClaimRequest): Promise<Claimed>;
  /**
   * The SQL for "now" in statements that decide time: the database's own clock, or parameter
   * `$param` (the caller's `now`) where the repository decides time with the local clock.
   */
  nowSql(param: number): string;
  /**
   * Ends a `dispatched` task that changes nothing but its own row (see `Ending`), sharing one
   * statement and one commit with the endings that arrive meanwhile. Resolves after the commit
   * with the task's new row, or with undefined when the task was not dispatched or the shared
   * statement failed: nothing of that ending was written, and the caller takes its general path,
   * which reports why.
   */
  finish(ending: Ending): Promise<Row | undefined>;
  isUniqueViolation(error: unknown): boolean;
  /** Lets go of what the store keeps on its DataSource (prepared statements), before the repository closes; it stays usable. */
  close(): Promise<void>;
  /**
   * `SELECT` of the rows in parameter `$param`, a JSON array of arrays (a row's values in the order
   * of `columns`), named and typed as `columns` say: many rows as one parameter, unpacked by the
   * database, rather than thousands of placeholders that the database must parse every time.
   */
  jsonRows(param: number, columns: readonly JsonColumn[]): string;
}

/**
 * The commonest completion: a dispatched task ends `done` (with its result) or `expired` (with
 * its error), with no successor to add and no error history to extend, so it is one compare-and-set
 * of its own row and can share a statement with others.
 */
export interface Ending {
  readonly id: string;
  readonly state: 'done' | 'expired';
  readonly endedAt: number;
  /** The result as JSON text, or null to keep the stored one. */
  readonly result: string | null;
  /** The error as JSON text, or null to keep the stored one. */
  readonly error: string | null;
  /** The attempt whose lease this process holds (the fencing token), or null when it holds none. */
  readonly attempt: number | null;
}

/** An ending's values, as `endingsSql` reads them from its JSON parameter. */
export const endingColumns: readonly JsonColumn[] = [
  ['k_id', 'text'],
  ['k_state', 'text'],
  ['k_ended_at', 'bigint'],
  ['k_result', 'text'],
  ['k_error', 'text'],
  ['k_attempt', 'integer'],
];

export function endingValues(ending: Ending): unknown[] {
  return [ending.id, ending.state, ending.endedAt, ending.result, ending.error, ending.attempt];
}

/**
 * One statement for many endings: `$1` is their values (a JSON array of `endingValues`), `$2` the
 * dispatched state. Only rows still dispatched change (the compare-and-set), and they are
 * returned. A flow's task is left to the general path, which settles its flow in the same
 * transaction; ordinary tasks pay one more predicate, no query. (SQLite's version, with hints for its planner, is in sqlite-store.ts.)
 */
export function endingsSql(store: TaskStore): string {
  return `WITH v AS (${store.jsonRows(1, endingColumns)}) UPDATE ${store.table} SET ${endingSet} FROM v WHERE id = v.k_id AND state = $2 AND ${fenced} AND flow_id IS NULL RETURNING ${taskColumns}`;
}

/** What an ending changes, from the row `v` of its values (see `endingColumns`); the lease ends with the attempt. */
export const endingSet = 'state = v.k_state, ended_at = v.k_ended_at, result = COALESCE(v.k_result, result), error = COALESCE(v.k_error, error), lease_until = NULL';

/** The fencing of an ending: the attempt it holds the lease of, when it holds one. */
export const fenced = '(v.k_attempt IS NULL OR attempt = v.k_attempt)';

/**
 * Endings waiting to share a statement, each answered once: `take` removes up to `max` with
 * distinct ids (an id twice in one UPDATE ... FROM would be matched once and answered twice; the
 * later one waits for the next statement, where it finds the task ended).
 */
export class EndingQueue {
  #waiting: Waiting[] = [];

  get size(): number {
    return this.#waiting.length;
  }

  add(ending: Ending): Promise<Row | undefined> {
    return new Promise((resolve) => this.#waiting.push({ ending, resolve }));
  }

  take(max: number): EndingBatch {
    const taken: Waiting[] = [];
    const left: Waiting[] = [];
    const ids = new Set<string>();
    for (const entry of this.#waiting) {
      if (taken.length < max && !ids.has(entry.ending.id)) {
        ids.add(entry.ending.id);
        taken.push(entry);
      } else {
        left.push(entry);
      }
    }
    this.#waiting = left;
    return {
      endings: taken.map((entry) => entry.ending),
      settle: (rows) => {
        const byId = new Map<unknown, Row>();
        for (const row of rows ?? []) byId.set(row['id'], row);
        for (const { ending, resolve } of taken) resolve(byId.get(ending.id));
      },
      putBack: () => {
        this.#waiting.unshift(...taken);
      },
    };
  }
}

interface Waiting {
  readonly ending: Ending;
  readonly resolve: (row: Row | undefined) => void;
}

/** Endings taken from an EndingQueue: `settle` answers them (undefined rows: all fall back), `putBack` queues them again. */
export interface EndingBatch {
  readonly endings: readonly Ending[];
  readonly settle: (rows: readonly Row[] | undefined) => void;
  readonly putBack: () => void;
}

/** What a claim took, and what it saw of the tasks it left. */
export interface Claimed {
  /** The new rows of the claimed tasks, in any order. */
  readonly rows: readonly Row[];
  /**
   * When the claim took `limit` tasks and its own transaction saw the earliest scheduled time left
   * (as `TaskTables.earliest` would read it right after): that time. Absent when unknown. A claim
   * limited to some works may tell the first due time left among those: a task of another work
   * may come before it, but only one that is due as well, so the timer following it fires as soon.
   */
  readonly next?: number;
  /** The ids among `rows` that were taken over from an expired lease. */
  readonly takenOver: ReadonlySet<unknown>;
  /**
   * When the claim's own statement read it: the earliest wake later than the claim's time (`dbNow`,
   * or the caller's `now` where time is local), as `earliestWake` with that `after` would read it
   * (`at` undefined: none). Absent when unknown.
   */
  readonly later?: { readonly at: number | undefined };
  /** The database's time when it decided what was due, where it decides (epoch ms). */
  readonly dbNow?: number;
}

/** Per-work limits of a claim: works to leave out entirely, and works to take at most so many of. */
export interface ClaimPlan {
  readonly skip: readonly string[];
  readonly caps: ReadonlyArray<readonly [workId: string, cap: number]>;
  /** The only works to take (those the process can run), or undefined for any. */
  readonly only?: readonly string[] | undefined;
}

/** Which clock decides what is due and when leases end: the database's, or the caller's `now`. */
export type StoreClock = 'database' | 'local';

/** What one claim asks of the store. */
export interface ClaimRequest {
  /** The caller's time, epoch ms: what is due where time is local, and the dispatch time. */
  readonly now: number;
  readonly limit: number;
  readonly owner: string;
  readonly plan: ClaimPlan;
  /** How long the claimed tasks' leases last, in ms. */
  readonly lease: number;
}

const runOrder = 'scheduled_at, priority DESC, seq';

/**
 * The due tasks a claim under `plan` takes, in run order: the first `limit` of the uncapped works'
 * tasks and each capped work's first `cap`, merged — what the heap takes by popping and skipping.
 * Each query walks the due index in run order and stops at its LIMIT; a window function would
 * rank every due task on every claim, and PostgreSQL cannot lock rows in a query that has one.
 */
export async function dueCandidates(sql: Sql, table: string, now: number, limit: number, plan: ClaimPlan): Promise<Row[]> {
  // The literal state lets the planner use the partial claim index (Leases0004).
  const due = `SELECT ${taskColumns} FROM ${table} WHERE state = 'scheduled' AND scheduled_at <= $1`;
  const capped = plan.caps.map(([workId]) => workId);
  const only = plan.only ?? [];
  const filter = `${onlyIn(3, plan.only)}${notIn('work_id', 3 + only.length, plan.skip.length + capped.length)}`;
  const rows = [...(await sql(`${due}${filter} ORDER BY ${runOrder} LIMIT $2`, [now, limit, ...only, ...plan.skip, ...capped])).rows];
  for (const [workId, cap] of plan.caps) {
    rows.push(...(await sql(`${due} AND work_id = $3 ORDER BY ${runOrder} LIMIT $2`, [now, Math.min(cap, limit), workId])).rows);
  }
  const key = (row: Row): [number, number, number] => [toNumber(row['scheduled_at']), toNumber(row['priority']), toNumber(row['seq'])];
  rows.sort((a, b) => {
    const [at, ap, as] = key(a);
    const [bt, bp, bs] = key(b);
    return at - bt || bp - ap || as - bs;
  });
  return rows.slice(0, limit);
}

/** Runs `text` on `runner` and returns rows and affected count whatever the statement was. */
export async function runOn(runner: QueryRunner, text: string, params: readonly unknown[]): Promise<SqlResult> {
  const result = (await runner.query(text, [...params], true)) as { records?: Row[]; affected?: number };
  return { rows: result.records ?? [], affected: result.affected ?? 0 };
}

/** `IN ($k, $k+1, ...)` for `count` values starting at placeholder `first`. */
export function placeholders(first: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');
}

/** ` AND column NOT IN ($first, ...)`, or nothing for no values. */
export function notIn(column: string, first: number, count: number): string {
  return count === 0 ? '' : ` AND ${column} NOT IN (${placeholders(first, count)})`;
}

/** ` AND work_id IN (...)` for the works a claim is limited to (none: matches nothing), or nothing when it is not limited. */
export function onlyIn(first: number, only: readonly string[] | undefined): string {
  if (only === undefined) return '';
  return only.length === 0 ? ' AND 1 = 0' : ` AND work_id IN (${placeholders(first, only.length)})`;
}

/** Splits `values` into chunks small enough for every driver's parameter limit. */
export function chunks<T>(values: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

export function driverCode(error: unknown): unknown {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  return code ?? driverError?.code;
}

/** The databases kokugen runs on, from the DataSource's type (SQLite through node-sqlite3 or better-sqlite3). */
export function storeType(dataSource: DataSource): 'sqlite' | 'postgres' | undefined {
  // A string: TypeORM 1.x's types no longer list 'sqlite'.
  const type: string = dataSource.options.type;
  return type === 'sqlite' || type === 'better-sqlite3' ? 'sqlite' : type === 'postgres' ? type : undefined;
}
