import { DuplicateIdError } from '../../errors.js';
import type { Series } from '../../schedule/series.js';
import { settleFlow } from '../../task/flow.js';
import { createdTask, TaskState } from '../../task/task.js';
import type { NewTask, Task } from '../../task/task.js';
import { isStorableText } from '../../validation/validate.js';
import { toNumber } from './columns.js';
import { seriesColumnCount, seriesColumns, seriesValues, toSeries } from './series-columns.js';
import { taskColumns, taskFields, taskColumnTable } from './task-columns.js';
import { taskValues, toTask } from './task-row.js';
import { InsertSql } from './insert-sql.js';
import { chunks, placeholders } from './task-store.js';
import type { Sql, TaskStore } from './task-store.js';

/** `work_id = $2, ..., errors = $21`: every column but the key, for writing a whole snapshot back. */
const setTaskColumns = taskFields
  .slice(1)
  .map((field, i) => `${taskColumnTable[field].name} = $${i + 2}`)
  .join(', ');

/** How many tasks one INSERT stores at most (only to bound the size of its JSON parameter). */
const insertRows = 1_000;

/** Where each field is in `taskValues`' order. */
const fieldIndex = new Map(taskFields.map((field, i) => [field, i]));

/** The columns whose values differ between new tasks (their own, and `seq`), and where `taskValues` has each. */
const ownFields = taskFields.filter((field) => !('fresh' in taskColumnTable[field]));
const ownIndexes = ownFields.map((field) => fieldIndex.get(field) as number);

function ownValues(task: Task): unknown[] {
  const all = taskValues(task);
  return ownIndexes.map((i) => all[i]);
}

/** `ownFields` but `seq`, for an INSERT that numbers its rows itself (`insertAlone`). */
const unnumberedFields = ownFields.filter((field) => field !== 'seq');
const unnumberedIndexes = unnumberedFields.map((field) => fieldIndex.get(field) as number);

/**
 * The columns every new task starts with the same value in (`createdTask`'s), with the type for
 * the CAST its parameter needs in a SELECT (PostgreSQL infers no type there), and those values.
 */
const freshFields = taskFields.filter((field) => 'fresh' in taskColumnTable[field]);
const aNewTask = taskValues(createdTask({ id: '', workId: '', param: null, scheduledAt: 0, priority: 0, meta: {}, createdAt: 0, seriesId: null, retry: null, timeout: null, deadline: null }, 0));
const freshValues = freshFields.map((field) => aNewTask[fieldIndex.get(field) as number]);

/**
 * kokugen's two tables as the steps its transactions are made of: lock a row, write a snapshot
 * back, insert with the next seqs, check ids. Each takes the transaction's `sql`; none commits.
 */
export class TaskTables {
  readonly tasks: string;
  readonly series: string;
  readonly #store: TaskStore;
  /** INSERT of the new tasks' `ownValues` (see InsertSql). */
  readonly #insert: InsertSql;

  /** INSERT of the new tasks' values but `seq`, numbered by the store's sequence; undefined without a sequence. */
  readonly #insertAlone: InsertSql | undefined;

  constructor(store: TaskStore, tasks: string, series: string) {
    this.#store = store;
    this.tasks = tasks;
    this.series = series;
    this.#insert = new InsertSql(store, tasks, ownFields, freshFields, freshValues);
    const nextSeq = store.nextSeqSql(tasks);
    this.#insertAlone = nextSeq === undefined ? undefined : new InsertSql(store, tasks, unnumberedFields, freshFields, freshValues, nextSeq);
  }

  /** How many tasks `insertAlone` takes at most; zero where the store cannot. */
  get insertsAlone(): number {
    return this.#insertAlone === undefined ? 0 : insertRows;
  }

  /**
   * Stores new tasks as scheduled in one statement of their own, which is its own transaction:
   * each row takes its seq from the store's sequence as it is inserted, and the wake-up (`notice`
   * of the tasks as created: `pg_notify`'s arguments, or none) goes out in the same statement, so an
   * add is one round trip instead of a transaction of five. A taken id fails the whole statement
   * with the driver's unique violation (the caller makes it typed). At most `insertsAlone` tasks.
   */
  async insertAlone(sql: Sql, tasks: readonly NewTask[], notice: (created: readonly Task[]) => readonly [string, string] | undefined): Promise<Task[]> {
    const insert = this.#insertAlone;
    if (insert === undefined || tasks.length > insertRows) throw new Error('insertAlone: not on this store, or too many tasks');
    // Numbered 0 until the statement returns their seqs.
    const created = tasks.map((t) => createdTask(t, 0));
    const values = created.map((task) => {
      const all = taskValues(task);
      return unnumberedIndexes.map((i) => all[i]);
    });
    const woke = notice(created);
    const { text: added, params, next } = insert.statement(values);
    const cte = `WITH added AS (${added} RETURNING id, seq)`;
    const text = woke === undefined ? `${cte} SELECT id, seq FROM added` : `${cte}, woke AS (SELECT pg_notify($${next}, $${next + 1})) SELECT added.id, added.seq FROM added, woke`;
    const { rows } = await sql(text, [...params, ...(woke ?? [])]);
    const seqs = new Map(rows.map((row) => [row['id'], toNumber(row['seq'])]));
    return tasks.map((t) => createdTask(t, seqs.get(t.id) as number));
  }

  /** The task with its row locked until the transaction ends, or undefined. */
  async lockTask(sql: Sql, id: string): Promise<Task | undefined> {
    if (!isStorableText(id)) return undefined;
    const [row] = (await sql(`SELECT ${taskColumns} FROM ${this.tasks} WHERE id = $1${this.#store.forUpdate}`, [id])).rows;
    return row === undefined ? undefined : toTask(row);
  }

  /**
   * `lockTask`, and on a store with row locks also the rows of the task's flow, all in id order:
   * two writes ending members of one chord then queue on the first shared row instead of each
   * holding one member and waiting for the other's (a deadlock). A task outside a flow locks only
   * its own row, in the same single statement.
   */
  async lockTaskAndFlow(sql: Sql, id: string): Promise<Task | undefined> {
    if (this.#store.forUpdate === '') return this.lockTask(sql, id);
    if (!isStorableText(id)) return undefined;
    const { rows } = await sql(`SELECT ${taskColumns} FROM ${this.tasks} WHERE id = $1 OR flow_id = (SELECT flow_id FROM ${this.tasks} WHERE id = $1) ORDER BY id${this.#store.forUpdate}`, [id]);
    const row = rows.find((r) => r['id'] === id);
    return row === undefined ? undefined : toTask(row);
  }

  /**
   * Settles a flow after one of its tasks ended in this transaction: its waiting steps released
   * or cancelled as `settleFlow` decides, written back, and returned.
   */
  async settleFlow(sql: Sql, flowId: string, now: number): Promise<Task[]> {
    const { rows } = await sql(`SELECT ${taskColumns} FROM ${this.tasks} WHERE flow_id = $1 ORDER BY id${this.#store.forUpdate}`, [flowId]);
    const members = rows.map(toTask);
    const byId = new Map(members.map((task) => [task.id, task]));
    const changed: Task[] = [];
    for (const change of settleFlow(members, now)) {
      const current = byId.get(change.id) as Task;
      changed.push(
        await this.save(
          sql,
          change.state === TaskState.Scheduled
            ? { ...current, state: TaskState.Scheduled, scheduledAt: change.scheduledAt }
            : { ...current, state: TaskState.Cancelled, endedAt: now, error: change.error },
        ),
      );
    }
    return changed;
  }

  async lockSeries(sql: Sql, id: string): Promise<Series | undefined> {
    if (!isStorableText(id)) return undefined;
    const [row] = (await sql(`SELECT ${seriesColumns} FROM ${this.series} WHERE id = $1${this.#store.forUpdate}`, [id])).rows;
    return row === undefined ? undefined : toSeries(row);
  }

  /** Writes a changed snapshot of a locked task back, whole, and returns it frozen. */
  async save(sql: Sql, task: Task): Promise<Task> {
    await sql(`UPDATE ${this.tasks} SET ${setTaskColumns} WHERE id = $1`, taskValues(task));
    return Object.freeze(task);
  }

  /** Stores new tasks as scheduled with the next seqs, or throws `ERR_DUPLICATE_ID` for the first id taken. */
  async insert(sql: Sql, tasks: readonly NewTask[]): Promise<Task[]> {
    await this.refuseExisting(
      sql,
      this.tasks,
      tasks.map((t) => t.id),
    );
    return this.insertOwn(sql, tasks);
  }

  /**
   * `insert` without looking for taken ids first, for kokugen's own transaction: a taken id fails
   * the INSERT with the driver's unique violation, the transaction rolls back whole, and the caller
   * answers with the typed error (`takenAsTyped`). A caller's transaction must not fail that way
   * (on PostgreSQL it would be aborted): it takes `insert`.
   */
  async insertOwn(sql: Sql, tasks: readonly NewTask[]): Promise<Task[]> {
    const seqs = await this.#store.nextSeqs(sql, this.tasks, tasks.length);
    const stored = tasks.map((t, i) => createdTask(t, seqs[i] as number));
    for (const batch of chunks(stored, insertRows)) {
      const { text, params } = this.#insert.statement(batch.map(ownValues));
      await sql(text, params);
    }
    return stored;
  }

  /** Stores a series (its first occurrence is inserted separately), or throws `ERR_DUPLICATE_ID`. */
  async insertSeries(sql: Sql, series: Series): Promise<void> {
    await this.refuseExisting(sql, this.series, [series.id]);
    const [seq] = await this.#store.nextSeqs(sql, this.series, 1);
    await sql(`INSERT INTO ${this.series} (${seriesColumns}) VALUES (${placeholders(1, seriesColumnCount)})`, seriesValues(series, seq as number));
  }

  /** Writes a changed series back (its definition and state; its id, seq and creation time stay). */
  async saveSeries(sql: Sql, series: Series): Promise<void> {
    const values = seriesValues(series, 0);
    // seriesValues' order: id, seq, then the rest; seq is left as stored.
    const names = seriesColumns.split(', ');
    const set = names.slice(2).map((name, i) => `${name} = $${i + 2}`).join(', ');
    await sql(`UPDATE ${this.series} SET ${set} WHERE id = $1`, [values[0], ...values.slice(2)]);
  }

  /** Throws `ERR_DUPLICATE_ID` for the first of `ids` (in their order) that `table` already holds. */
  async refuseExisting(sql: Sql, table: string, ids: readonly string[]): Promise<void> {
    const found = await this.existing(sql, table, ids);
    if (found !== undefined) throw new DuplicateIdError(found);
  }

  /** The first of `ids` (in their order) that `table` holds. */
  async existing(sql: Sql, table: string, ids: readonly string[]): Promise<string | undefined> {
    const found = new Set<unknown>();
    for (const batch of chunks(ids)) {
      for (const row of (await sql(`SELECT id FROM ${table} WHERE id IN (${placeholders(1, batch.length)})`, batch)).rows) found.add(row['id']);
    }
    return ids.find((id) => found.has(id));
  }

  /** The first of `keys` (in their order) that a scheduled or dispatched task holds, with that task's id. */
  async keyHolder(sql: Sql, keys: readonly string[]): Promise<{ key: string; id: string } | undefined> {
    if (keys.length === 0) return undefined;
    const { rows } = await sql(`SELECT id, dedup_key FROM ${this.tasks} WHERE dedup_key IN (${placeholders(3, keys.length)}) AND state IN ($1, $2)`, [TaskState.Scheduled, TaskState.Dispatched, ...keys]);
    const byKey = new Map(rows.map((row) => [row['dedup_key'], row['id'] as string]));
    const key = keys.find((k) => byKey.has(k));
    return key === undefined ? undefined : { key, id: byKey.get(key) as string };
  }

  /** Whether a series may get a new occurrence: it exists, is enabled, and has no scheduled (or, `strict`, running) one. */
  async mayAddOccurrence(sql: Sql, seriesId: string | null, strict: boolean): Promise<boolean> {
    if (seriesId === null || (await this.lockSeries(sql, seriesId))?.enabled !== true) return false;
    const states = strict ? [TaskState.Scheduled, TaskState.Dispatched] : [TaskState.Scheduled];
    const { rows } = await sql(`SELECT id FROM ${this.tasks} WHERE series_id = $1 AND state IN (${placeholders(2, states.length)}) LIMIT 1`, [seriesId, ...states]);
    return rows.length === 0;
  }
}
