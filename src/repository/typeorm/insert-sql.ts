import type { Task } from '../../task/task.js';
import { jsonColumn, taskColumnTable } from './task-columns.js';
import type { TaskStore } from './task-store.js';

/**
 * The INSERT of new tasks: one JSON array parameter (`$1`) with a row per task, and the values all
 * new tasks start with (`fresh`) as parameters `$2...`. A column whose value is the same in every
 * row of the batch (`state`, a flow, a key: null in most adds; every column of a one-task add)
 * goes as one parameter after those instead of once per row, so that the store parses and extracts
 * less. The statement text depends on which columns are uniform, so texts are kept per set.
 */
export class InsertSql {
  readonly #store: TaskStore;
  readonly #table: string;
  /** The columns taken from each row (or hoisted when uniform), in the order of the row arrays. */
  readonly #fields: readonly (keyof Task)[];
  readonly #fresh: readonly (keyof Task)[];
  /** `seq` from the store's sequence, for each row (SQL), or undefined when the rows carry it. */
  readonly #numbered: string | undefined;
  readonly #texts = new Map<number, string>();

  constructor(store: TaskStore, table: string, fields: readonly (keyof Task)[], fresh: readonly (keyof Task)[], numbered?: string) {
    if (fields.length > 30 || fields[0] !== 'id') throw new Error('InsertSql: id first, and at most 30 columns per row');
    this.#store = store;
    this.#table = table;
    this.#fields = fields;
    this.#fresh = fresh;
    this.#numbered = numbered;
  }

  /**
   * The statement for `rows` (each `fields`' values in order) and its parameters, `$1` the JSON
   * rows, then the fresh values, then the uniform ones; `extra` parameters follow those.
   */
  statement(rows: readonly (readonly unknown[])[], freshValues: readonly unknown[]): { readonly text: string; readonly params: unknown[]; readonly next: number } {
    const fields = this.#fields;
    let uniform = 0;
    const first = rows[0] ?? [];
    // Never the id (distinct in every row): the rows always come from the JSON parameter.
    for (let column = 1; column < fields.length; column++) {
      const value = first[column];
      let same = true;
      for (let row = 1; row < rows.length && same; row++) same = rows[row]?.[column] === value;
      if (same) uniform |= 1 << column;
    }
    const hoisted: unknown[] = [];
    for (let column = 0; column < fields.length; column++) if (uniform & (1 << column)) hoisted.push(first[column]);
    const perRow = uniform === 0 ? rows : rows.map((row) => row.filter((_, column) => (uniform & (1 << column)) === 0));
    const params = [JSON.stringify(perRow), ...freshValues, ...hoisted];
    return { text: this.#text(uniform), params, next: params.length + 1 };
  }

  #text(uniform: number): string {
    const cached = this.#texts.get(uniform);
    if (cached !== undefined) return cached;
    const fields = this.#fields;
    const cast = (field: keyof Task, param: number): string => `CAST($${param} AS ${taskColumnTable[field].type})`;
    const fromRow = fields.filter((_, column) => (uniform & (1 << column)) === 0);
    let param = 2 + this.#fresh.length;
    const select = fields.map((field, column) => (uniform & (1 << column)) === 0 ? taskColumnTable[field].name : cast(field, param++));
    const shared = this.#fresh.map((field, i) => cast(field, i + 2));
    const names = [...fields, ...this.#fresh].map((field) => taskColumnTable[field].name);
    const seq = this.#numbered === undefined ? [] : [this.#numbered];
    const from = this.#store.jsonRows(1, fromRow.map(jsonColumn));
    const text = `INSERT INTO ${this.#table} (${[...names, ...(seq.length === 0 ? [] : ['seq'])].join(', ')}) SELECT ${[...select, ...shared, ...seq].join(', ')} FROM (${from}) AS r`;
    this.#texts.set(uniform, text);
    return text;
  }
}
