import type { DataSource, QueryRunner } from 'typeorm';
import { toNumber } from './columns.js';
import { ClaimConnection } from './claim-connection.js';
import { claimedFrom, claimSet, takeoverSql } from './claim-sql.js';
import { wakeColumns } from './lease-sql.js';
import { driverCode, dueCandidates, EndingQueue, endingsSql, endingValues, notIn, onlyIn, placeholders, runOn } from './task-store.js';
import type { JsonColumn } from './columns.js';
import { taskColumns } from './task-columns.js';
import type { Row } from './task-row.js';
import type { Claimed, ClaimRequest, Ending, Sql, StoreClock, TaskStore } from './task-store.js';

/** How many endings share one statement at most. */
const maxEndings = 1_000;

/**
 * PostgreSQL: many processes, row locks. Writes are READ COMMITTED transactions whose first
 * statement locks the rows they change (`SELECT ... FOR UPDATE`), so each is a compare-and-set
 * on the task's state; claims skip rows another process holds (`SKIP LOCKED`) instead of waiting.
 *
 * Endings (see `Ending`) are one statement each batch: while one is on its way, the endings that
 * arrive queue up and go together in the next, one UPDATE ... FROM unnest(...) in autocommit, so
 * many completions share a round trip and a commit, and each is answered after that commit.
 */
export class PostgresStore implements TaskStore {
  readonly table: string;
  readonly forUpdate = ' FOR UPDATE';
  readonly #dataSource: DataSource;
  readonly #endings = new EndingQueue();
  readonly #endingsSql: string;
  readonly #clock: StoreClock;
  readonly #claims: ClaimConnection;
  #ending = false;

  constructor(dataSource: DataSource, table: string, clock: StoreClock) {
    this.table = table;
    this.#dataSource = dataSource;
    this.#claims = new ClaimConnection(dataSource);
    this.#clock = clock;
    this.#endingsSql = endingsSql(this);
  }

  async read<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const runner = this.#dataSource.createQueryRunner();
    try {
      return await work(sqlOn(runner));
    } finally {
      await runner.release();
    }
  }

  async write<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const runner = this.#dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      const result = await work(sqlOn(runner));
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Ends the claims' connection; the next claim connects again. */
  close(): Promise<void> {
    return this.#claims.close();
  }

  /**
   * From the table's sequence (`<table>_seq`, migration Keys0005): a sequence is never rolled
   * back and never waits for another transaction, so an application transaction that added a task
   * and stays open blocks no other add. Numbers a rolled-back add took are skipped: seq orders,
   * it does not count.
   */
  async nextSeqs(sql: Sql, table: string, count: number): Promise<number[]> {
    const { rows } = await sql('SELECT nextval($1::regclass) AS seq FROM generate_series(1, $2::integer)', [sequenceOf(table), count]);
    return rows.map((row) => toNumber(row['seq'])).sort((a, b) => a - b);
  }

  nextSeqSql(table: string): string {
    return `nextval('${sequenceOf(table).replaceAll("'", "''")}'::regclass)`;
  }

  /**
   * Without per-work caps, one statement: `t` reads the time once, `taken` takes over the
   * dispatched rows whose lease ended, `claimed` the due scheduled ones; each subquery locks the
   * rows it picks, skipping those another process is claiming or changing, and its UPDATE moves
   * exactly those (a row changed meanwhile is re-checked against the WHERE before it is locked).
   * With caps, the candidates are chosen first (one query per capped work) and then claimed by id.
   *
   * On the store's claim connection (claim-connection.ts), whose planner walks the claim index in
   * order: without fresh statistics (a table just bulk-loaded) PostgreSQL guesses that few rows are
   * due and prefers a bitmap scan and a sort of every due row to the ordered index walk that stops
   * at the LIMIT.
   */
  async claim(request: ClaimRequest): Promise<Claimed> {
    const { now, limit, owner, plan, lease } = request;
    const only = plan.only ?? [];
    const filters = `${onlyIn(5, plan.only)}${notIn('work_id', 5 + only.length, plan.skip.length)}`;
    const params = [now, owner, lease, limit, ...only, ...plan.skip];
    // `k_local` only gives `$1` a type where the database's clock decides and the statement does not read it.
    const time = `WITH t AS MATERIALIZED (SELECT ${this.nowSql(1)}::bigint AS k_now, $1::bigint AS k_local)`;
    const takeover = `taken AS (${takeoverSql(this.table, filters)} RETURNING ${taskColumns}, true AS k_taken)`;
    return this.#claims.run(async (sql) => {
      if (plan.caps.length === 0) {
        const pick = `SELECT id FROM ${this.table} WHERE state = 'scheduled' AND scheduled_at <= (SELECT k_now FROM t)${filters} ORDER BY scheduled_at, priority DESC, seq LIMIT $4 FOR UPDATE SKIP LOCKED`;
        const claimed = `claimed AS (${claimSet(this.table)} WHERE id IN (${pick}) RETURNING ${taskColumns}, false AS k_taken)`;
        // The wake after this claim, as its statement sees the table: the rows it moves are due, so not later.
        const wake = wakeColumns(this.table, '(SELECT k_now FROM t)');
        const { rows } = await sql(`${time}, ${takeover}, ${claimed} SELECT t.k_now, ${wake}, c.* FROM t LEFT JOIN (SELECT * FROM taken UNION ALL SELECT * FROM claimed) AS c ON true`, params);
        return claimedFrom(rows);
      }
      // Several statements, as one transaction.
      await sql('BEGIN');
      try {
        const rows = await this.#cappedClaim(sql, request, params, takeover);
        await sql('COMMIT');
        return claimedFrom(rows);
      } catch (error) {
        await sql('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** With per-work caps: the candidates first (one query per capped work), then one claim of them by id. */
  async #cappedClaim(sql: Sql, request: ClaimRequest, params: readonly unknown[], takeover: string): Promise<readonly Row[]> {
    const { now, limit, plan } = request;
    const only = plan.only ?? [];
    const [first] = (await sql(`SELECT ${this.nowSql(1)}::bigint AS k_now, $1::bigint AS k_local`, [now])).rows;
    const at = toNumber(first?.['k_now']);
    const ids = (await dueCandidates(sql, this.table, at, limit, plan)).map((row) => row['id']);
    const pick = `SELECT id FROM ${this.table} WHERE state = 'scheduled' AND id IN (${placeholders(5 + only.length + plan.skip.length, ids.length)}) FOR UPDATE SKIP LOCKED`;
    const claimed = `claimed AS (${claimSet(this.table)} WHERE id IN (${pick}) RETURNING ${taskColumns}, false AS k_taken)`;
    // The same time again, as the database read it for the candidates.
    const fixed = [at, ...params.slice(1)];
    const { rows } = await sql(`WITH t AS MATERIALIZED (SELECT $1::bigint AS k_now), ${takeover}, ${claimed} SELECT t.k_now, c.* FROM t LEFT JOIN (SELECT * FROM taken UNION ALL SELECT * FROM claimed) AS c ON true`, [...fixed, ...ids]);
    return rows;
  }

  nowSql(param: number): string {
    // clock_timestamp(): the time the statement reads it, not the start of its transaction.
    return this.#clock === 'database' ? `(extract(epoch from clock_timestamp()) * 1000)::bigint` : `$${param}`;
  }

  finish(ending: Ending): Promise<Row | undefined> {
    const row = this.#endings.add(ending);
    if (!this.#ending) {
      // After this turn of the event loop, so that the completions of tasks that ended together go together.
      this.#ending = true;
      setImmediate(() => void this.#endQueued());
    }
    return row;
  }

  async #endQueued(): Promise<void> {
    while (this.#endings.size > 0) {
      const batch = this.#endings.take(maxEndings);
      const { endings } = batch;
      const values = JSON.stringify(endings.map(endingValues));
      // A failure (the connection, a deadlock with another process's batch) sends each back to its general path.
      batch.settle(await this.read((sql) => sql(this.#endingsSql, [values, 'dispatched'])).then(({ rows }) => rows, () => undefined));
    }
    this.#ending = false;
  }

  isUniqueViolation(error: unknown): boolean {
    return driverCode(error) === '23505';
  }

  jsonRows(param: number, columns: readonly JsonColumn[]): string {
    const value = (type: JsonColumn[1], i: number): string => (type === 'text' || type === 'varchar' ? `e ->> ${i}` : `(e ->> ${i})::${type}`);
    return `SELECT ${columns.map(([name, type], i) => `${value(type, i)} AS ${name}`).join(', ')} FROM json_array_elements($${param}::json) AS e`;
  }
}

/** The sequence of a table's seqs (migration Keys0005): the table's quoted name with `_seq`. */
function sequenceOf(table: string): string {
  return table.replace(/"$/, '_seq"');
}

function sqlOn(runner: QueryRunner): Sql {
  return (text, params = []) => runOn(runner, text, params);
}
