import { InvalidArgumentError } from '../../errors.js';
import type { Series } from '../../schedule/series.js';
import type { NewTask, Task, TaskError } from '../../task/task.js';
import { checkEpochMs, isStorableText } from '../../validation/validate.js';
import type { AddOptions, SeriesChange } from '../task-repository.js';
import { checkAddOptions, checkError, checkNewTask, checkSeries } from './checks.js';
import { takenAsTyped } from './key-sql.js';
import { seriesColumns, toSeries } from './series-columns.js';
import { changeSeriesEnabled, deleteSeries, insertSeries } from './series-sql.js';
import type { StoreGate } from './store-gate.js';
import type { TaskStore } from './task-store.js';
import type { TaskTables } from './task-tables.js';
import type { Wakeups } from './wakeups.js';

/**
 * The series part of the contract (`addSeries`, `getSeries`, `listSeries`, `setSeriesEnabled`,
 * `removeSeries`) on TypeORM: inputs checked at the edge, then one transaction each through the
 * gate (writes in series-sql.ts). `TypeOrmRepository` hands its series calls on to it.
 */
export class SeriesOperations {
  readonly #gate: StoreGate;
  readonly #tables: TaskTables;
  readonly #store: TaskStore;
  readonly #wakeups: Wakeups;

  constructor(gate: StoreGate, tables: TaskTables, store: TaskStore, wakeups: Wakeups) {
    this.#gate = gate;
    this.#tables = tables;
    this.#store = store;
    this.#wakeups = wakeups;
  }

  async add(series: Series, first: NewTask, options: AddOptions = {}): Promise<Task> {
    const checked = checkSeries(series);
    const occurrence = checkNewTask(first);
    const { onConflict, transaction } = checkAddOptions(options);
    return takenAsTyped(this.#gate, this.#tables, this.#store, [occurrence.id], () =>
      this.#gate.writeIn(transaction, (sql) => insertSeries(sql, this.#tables, checked, occurrence, onConflict, this.#store.forUpdate), (task) => [task]),
    );
  }

  async get(id: string): Promise<Series | undefined> {
    this.#gate.checkOpen();
    if (!isStorableText(id)) return undefined;
    return this.#gate.read(async (sql) => {
      const [row] = (await sql(`SELECT ${seriesColumns} FROM ${this.#tables.series} WHERE id = $1`, [id])).rows;
      return row === undefined ? undefined : toSeries(row);
    });
  }

  async list(): Promise<Series[]> {
    return this.#gate.read(async (sql) => (await sql(`SELECT ${seriesColumns} FROM ${this.#tables.series} ORDER BY seq`)).rows.map(toSeries));
  }

  /** The change, once the watchers of endings heard of the occurrence it cancelled. */
  async setEnabled(id: string, enabled: boolean, now: number, next?: NewTask, error?: TaskError): Promise<SeriesChange> {
    if (typeof enabled !== 'boolean') throw new InvalidArgumentError('enabled', 'a boolean', enabled);
    const at = checkEpochMs(now, 'now', 'down');
    const successor = next === undefined ? undefined : checkNewTask(next);
    const reason = enabled || error === undefined ? null : checkError(error, 'series error');
    const change = await this.#gate.write(
      (sql) => changeSeriesEnabled(sql, this.#tables, { id, enabled, now: at, next: successor, error: reason, forUpdate: this.#store.forUpdate }),
      undefined,
      ({ task }) => [task],
    );
    this.#wakeups.ended([change.task]);
    return change;
  }

  async remove(id: string): Promise<boolean> {
    this.#gate.checkOpen();
    if (!isStorableText(id)) return false;
    return this.#gate.write((sql) => deleteSeries(sql, this.#tables, id));
  }
}
