import type { Clock, ClockTimer } from '../../clock/clock.js';
import { EndingWatches } from '../ending-watches.js';
import type { EndingWatcher } from '../task-repository.js';
import { TaskState } from '../../task/task.js';
import type { Task } from '../../task/task.js';
import { taskColumns } from './task-columns.js';
import { toTask } from './task-row.js';
import { chunks, placeholders } from './task-store.js';
import type { Sql } from './task-store.js';
import type { Row } from './task-row.js';

/** Runs `check` whenever the store may have changed, from now until the returned function is called. */
export type ChangeTrigger = (clock: Clock, check: () => void) => () => void;

const endedStates = [TaskState.Done, TaskState.Failed, TaskState.Cancelled, TaskState.Expired];

/**
 * `watchEndings` of a store that processes share. Endings this repository writes are told at once
 * (`ended`); those of other processes are found by reading the watched ids' states whenever the
 * trigger says the store may have changed, and only while someone watches: each check is one
 * indexed read of the watched ids, and nothing is added to the writes of the processes that end them.
 */
export class EndingPoll {
  readonly #watches = new EndingWatches();
  readonly #read: <T>(work: (sql: Sql) => Promise<T>) => Promise<T>;
  readonly #tasks: string;
  readonly #trigger: ChangeTrigger;
  #untrigger: (() => void) | undefined;
  #checking = false;
  #again = false;

  constructor(read: <T>(work: (sql: Sql) => Promise<T>) => Promise<T>, tasks: string, trigger: ChangeTrigger) {
    this.#read = read;
    this.#tasks = tasks;
    this.#trigger = trigger;
  }

  add(ids: readonly string[], watcher: EndingWatcher): () => void {
    const unwatch = this.#watches.add(ids, watcher);
    this.#untrigger ??= this.#trigger(watcher.clock, () => void this.#check());
    return () => {
      unwatch();
      this.#idle();
    };
  }

  /** Tasks this repository's own writes ended (or changed: only ended ones are told). */
  ended(tasks: ReadonlyArray<Task | undefined>): void {
    if (this.#watches.size === 0) return;
    for (const task of tasks) if (task !== undefined) this.#watches.ended(task);
    this.#idle();
  }

  close(): void {
    this.#untrigger?.();
    this.#untrigger = undefined;
  }

  #idle(): void {
    if (this.#watches.size > 0) return;
    this.#untrigger?.();
    this.#untrigger = undefined;
  }

  async #check(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return;
    }
    this.#checking = true;
    try {
      do {
        this.#again = false;
        const ids = this.#watches.ids();
        if (ids.length === 0) break;
        const found = await this.#read(async (sql) => {
          const rows: Row[] = [];
          for (const batch of chunks(ids)) {
            rows.push(...(await sql(`SELECT ${taskColumns} FROM ${this.#tasks} WHERE state IN (${placeholders(1, endedStates.length)}) AND id IN (${placeholders(endedStates.length + 1, batch.length)})`, [...endedStates, ...batch])).rows);
          }
          return rows.map(toTask);
        }).catch(() => [] as Task[]);
        this.ended(found);
      } while (this.#again);
    } finally {
      this.#checking = false;
    }
  }
}

/** A trigger for a store without change detection: every `interval` ms on the Clock, keeping the process alive. */
export function everyInterval(interval: number): ChangeTrigger {
  return (clock, check) => {
    let timer: ClockTimer | undefined;
    const arm = (): void => {
      timer = clock.after(interval, () => {
        check();
        if (timer !== undefined) arm();
      }, true);
    };
    arm();
    return () => {
      timer?.cancel();
      timer = undefined;
    };
  };
}
