import { DuplicateIdError, DuplicateKeyError } from '../../errors.js';
import { keysOf, planKeys } from '../key-conflict.js';
import { TaskState } from '../../task/task.js';
import type { NewTask, OnConflict, Task } from '../../task/task.js';
import { taskColumns } from './task-columns.js';
import { toTask } from './task-row.js';
import { placeholders } from './task-store.js';
import type { Sql, TaskStore } from './task-store.js';
import type { StoreGate } from './store-gate.js';
import type { TaskTables } from './task-tables.js';

/**
 * `add` of tasks with dedup keys as SQL steps of one transaction: the tasks holding those keys are
 * read under lock (on PostgreSQL; SQLite's whole file is), `planKeys` decides, and its steps are
 * written. Two processes adding one key at once both find it free; the partial unique indexes of
 * migration Keys0005 let one insert through and the repository runs the other's write again.
 */
export async function insertKeyed(sql: Sql, tables: TaskTables, tasks: readonly NewTask[], onConflict: OnConflict, forUpdate: string): Promise<Task[]> {
  await tables.refuseExisting(
    sql,
    tables.tasks,
    tasks.map((t) => t.id),
  );
  const keys = keysOf(tasks);
  const { rows } = await sql(
    `SELECT ${taskColumns} FROM ${tables.tasks} WHERE dedup_key IN (${placeholders(3, keys.length)}) AND state IN ($1, $2) ORDER BY id${forUpdate}`,
    [TaskState.Scheduled, TaskState.Dispatched, ...keys],
  );
  const holders = new Map<string, Task[]>();
  for (const task of rows.map(toTask)) holders.set(task.key as string, [...(holders.get(task.key as string) ?? []), task]);
  const plan = planKeys(tasks, holders, onConflict);
  for (const running of plan.detach) await sql(`UPDATE ${tables.tasks} SET dedup_key = NULL WHERE id = $1`, [running.id]);
  const inserted = await tables.insert(
    sql,
    plan.steps.flatMap((step) => (step.kind === 'insert' ? [step.task] : [])),
  );
  const stored: Task[] = [];
  for (const step of plan.steps) {
    if (step.kind === 'insert') stored.push(inserted.shift() as Task);
    else if (step.kind === 'replace') stored.push(await tables.save(sql, step.task));
    else stored.push(step.task);
  }
  return stored;
}

/**
 * `write`, with a unique violation reported as the typed error it stands for. kokugen checks ids
 * and keys before it inserts, so a violation means another writer took one of `ids` (a concurrent
 * add of the same id) or of `keys` meanwhile (in a caller's transaction, which the failure aborted,
 * or twice in a row).
 */
export async function takenAsTyped<T>(gate: StoreGate, tables: TaskTables, store: TaskStore, ids: readonly string[], write: () => Promise<T>, keys: readonly string[] = []): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!store.isUniqueViolation(error)) throw error;
    const taken = await gate.read((sql) => tables.existing(sql, tables.tasks, ids));
    if (taken !== undefined) throw new DuplicateIdError(taken);
    const held = await gate.read((sql) => tables.keyHolder(sql, keys));
    throw held === undefined ? error : new DuplicateKeyError(held.key, held.id);
  }
}
