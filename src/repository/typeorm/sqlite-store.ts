import type { DataSource } from 'typeorm';
import { SqliteConnection } from './sqlite-connection.js';
import { fromJsonRow, returningJson } from './sqlite-json-row.js';
import { chunks, driverCode, dueCandidates, endingColumns, endingSet, fenced, notIn, onlyIn, placeholders } from './task-store.js';
import type { JsonColumn } from './columns.js';
import type { Claimed, ClaimRequest, Ending, Sql, TaskStore } from './task-store.js';
import type { Row } from './task-row.js';

/**
 * `endingsSql` with two hints for SQLite's planner, which without statistics walks every
 * dispatched row through the state index and, for each, scans the JSON of all the endings (a cost
 * of dispatched rows x endings): `+state` keeps the state index out, so each ending finds its row
 * by id, and MATERIALIZED unpacks the JSON once instead of once per row.
 */
export function sqliteEndingsSql(store: TaskStore): string {
  return `WITH v AS MATERIALIZED (${store.jsonRows(1, endingColumns)}) UPDATE ${store.table} SET ${endingSet} FROM v WHERE id = v.k_id AND +state = $2 AND ${fenced} AND flow_id IS NULL RETURNING ${returningJson}`;
}

const noneTaken: ReadonlySet<unknown> = new Set();

/** One Connection per DataSource, so that two repositories sharing a DataSource still take turns. */
const connections = new WeakMap<DataSource, SqliteConnection>();

/**
 * SQLite: one writer at a time for the whole file. Writes start with BEGIN IMMEDIATE, which takes
 * the write lock up front (waiting up to `busy_timeout` for another process), so a transaction
 * never fails half-way with SQLITE_BUSY the way a deferred one upgrading its lock can.
 */
export class SqliteStore implements TaskStore {
  readonly table: string;
  readonly forUpdate = '';
  readonly #connection: SqliteConnection;

  constructor(dataSource: DataSource, table: string) {
    this.table = table;
    let connection = connections.get(dataSource);
    if (connection === undefined) connections.set(dataSource, (connection = new SqliteConnection(dataSource, sqliteEndingsSql(this))));
    this.#connection = connection;
  }

  read<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#connection.submit(false, work);
  }

  write<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#connection.submit(true, work);
  }

  nextSeqSql(): undefined {
    return undefined; // numbered under the file's write lock, from the table itself
  }

  /** One more than the largest so far: SQLite has one writer per file, so no other add runs meanwhile. */
  async nextSeqs(sql: Sql, table: string, count: number): Promise<number[]> {
    const [row] = (await sql(`SELECT MAX(seq) AS seq FROM ${table}`)).rows;
    const last = row?.['seq'];
    const first = last === null || last === undefined ? 0 : Number(last) + 1;
    return Array.from({ length: count }, (_, i) => first + i);
  }

  /**
   * Without per-work caps, one statement that picks the due rows in run order and the dispatched
   * rows whose lease ended, and moves them all: a row taken over from an expired lease gets a new
   * attempt and `recovered`, as a due one gets its first. With caps, the candidates are chosen
   * first (one query per capped work) and moved by seq; then a second statement takes over.
   *
   * The one statement picks one due row more than it takes: when it takes `limit`, that row is the
   * first scheduled one left in run order, so its time is the earliest scheduled time left (every
   * row due before it was taken), and the repository's timer needs no read of its own. Rows of
   * works left out (skipped, or not among `only`) may come before it, but that row is due already,
   * so the timer fires at once all the same.
   */
  claim(request: ClaimRequest): Promise<Claimed> {
    const { now, limit, owner, plan, lease } = request;
    const claimSet = `UPDATE ${this.table} SET state = $1, dispatched_at = $2, owner = $3, attempt = attempt + 1, lease_until = $2 + $6`;
    const only = plan.only ?? [];
    const filters = `${onlyIn(7, plan.only)}${notIn('work_id', 7 + only.length, plan.skip.length)}`;
    const expired = `SELECT seq FROM ${this.table} WHERE state = $1 AND lease_until < $2${filters} ORDER BY lease_until LIMIT $5`;
    return this.write(async (sql): Promise<Claimed> => {
      if (plan.caps.length === 0) {
        const order = 'ORDER BY scheduled_at, priority DESC, seq';
        // MATERIALIZED: picked once, before the UPDATE changes the rows it reads.
        const due = `SELECT seq, scheduled_at, priority FROM ${this.table} WHERE state = $4 AND scheduled_at <= $2${filters} ${order} LIMIT $5 + 1`;
        const movedSeqs = `SELECT seq FROM (SELECT seq FROM due ${order} LIMIT $5) UNION ALL SELECT seq FROM expired`;
        // SET reads the row as it was: a dispatched one is an expired lease taken over.
        const set = `${claimSet}, recovered = CASE WHEN state = $1 THEN 1 ELSE recovered END`;
        const next = `(SELECT scheduled_at FROM due ${order} LIMIT 1 OFFSET $5) AS k_next`;
        // WITH first, so that the rows come back (see changesRows).
        const statement = `WITH due AS MATERIALIZED (${due}), expired AS MATERIALIZED (${expired}) ${set} WHERE seq IN (${movedSeqs}) RETURNING ${returningJson}, ${next}, seq IN (SELECT seq FROM expired) AS k_taken`;
        const { rows } = await sql(statement, ['dispatched', now, owner, 'scheduled', limit, lease, ...only, ...plan.skip]);
        const following = rows[0]?.['k_next'];
        const moved = rows.map(fromJsonRow);
        const taken = moved.filter((_, i) => Number(rows[i]?.['k_taken']) === 1);
        return {
          rows: moved,
          takenOver: taken.length === 0 ? noneTaken : new Set(taken.map((row) => row['id'])),
          // A picked row past the limit is due now whatever the works it was picked from: the timer
          // fires at once, as it would for any earlier task of a work left out.
          ...(typeof following === 'number' ? { next: following } : {}),
        };
      }
      const rows = await dueCandidates(sql, this.table, now, limit, plan);
      for (const seqs of chunks(rows.map((row) => row['seq']))) {
        await sql(`${claimSet} WHERE seq IN (${placeholders(7, seqs.length)})`, ['dispatched', now, owner, 0, 0, lease, ...seqs]);
      }
      const claimed = rows.map((row) => ({ ...row, state: 'dispatched', dispatched_at: now, owner, attempt: Number(row['attempt']) + 1 }));
      const takeover = `UPDATE ${this.table} SET dispatched_at = $2, owner = $3, attempt = attempt + 1, recovered = $4, lease_until = $2 + $6 WHERE seq IN (${expired}) RETURNING ${returningJson}`;
      const taken = (await sql(takeover, ['dispatched', now, owner, 1, limit, lease, ...only, ...plan.skip])).rows.map(fromJsonRow);
      if (taken.length === 0) return { rows: claimed, takenOver: noneTaken };
      return { rows: [...claimed, ...taken], takenOver: new Set(taken.map((row) => row['id'])) };
    });
  }

  nowSql(param: number): string {
    return `$${param}`; // One machine: the caller's clock is the file's.
  }

  finish(ending: Ending): Promise<Row | undefined> {
    return this.#connection.finish(ending);
  }

  close(): Promise<void> {
    return this.#connection.release();
  }

  isUniqueViolation(error: unknown): boolean {
    // node-sqlite3 gives the primary code; better-sqlite3 the extended one.
    const code = driverCode(error);
    return code === 'SQLITE_CONSTRAINT' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  }

  jsonRows(param: number, columns: readonly JsonColumn[]): string {
    // json_extract gives a JSON string as text and a JSON number as an integer or a real; the column's affinity does the rest.
    return `SELECT ${columns.map(([name], i) => `json_extract(value, '$[${i}]') AS ${name}`).join(', ')} FROM json_each($${param})`;
  }
}
