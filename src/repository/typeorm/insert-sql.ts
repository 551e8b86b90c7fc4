import type { Task } from '../../task/task.js';
import { jsonColumn, taskColumnTable } from './task-columns.js';
import type { TaskStore } from './task-store.js';

/**
 * The INSERT of new tasks: one JSON array parameter (`$1`) with a row per task, and the values all
 * new tasks start with (`fresh`) as parameters `$2...`. A column whose value is the same in every
 * row of the batch (`state`, a flow, a key: null in most adds; every column but the id of a
 * one-task add) goes as one parameter after those instead of once per row, so that the store
 * parses and extracts less. The statement text depends on which columns are alike, so texts are
 * kept per set.
 */
export class InsertSql {
  readonly #store: TaskStore;
  readonly #table: string;
  /** The columns of each row (those alike in the whole batch become parameters), in row order; the id first. */
  readonly #fields: readonly (keyof Task)[];
  readonly #fresh: readonly (keyof Task)[];
  readonly #freshValues: readonly unknown[];
  /** `seq` from the store's sequence, for each row (SQL), or undefined when the rows carry it. */
  readonly #numbered: string | undefined;
  readonly #texts = new Map<number, string>();

  constructor(store: TaskStore, table: string, fields: readonly (keyof Task)[], fresh: readonly (keyof Task)[], freshValues: readonly unknown[], numbered?: string) {
    if (fields.length > 30 || fields[0] !== 'id') throw new Error('InsertSql: id first, and at most 30 columns per row');
    this.#store = store;
    this.#table = table;
    this.#fields = fields;
    this.#fresh = fresh;
    this.#freshValues = freshValues;
    this.#numbered = numbered;
  }

  /**
   * The statement for `rows` (each `fields`' values in order) and its parameters: `$1` the JSON
   * rows, then the fresh values, then the alike ones. `next` is the first placeholder free after them.
   */
  statement(rows: readonly (readonly unknown[])[]): { readonly text: string; readonly params: unknown[]; readonly next: number } {
    const first = rows[0] ?? [];
    let alike = 0;
    const hoisted: unknown[] = [];
    // Never the id (distinct in every row): the rows always come from the JSON parameter.
    for (let column = 1; column < this.#fields.length; column++) {
      const value = first[column];
      let same = true;
      for (let row = 1; row < rows.length && same; row++) same = rows[row]?.[column] === value;
      if (!same) continue;
      alike |= 1 << column;
      hoisted.push(value);
    }
    const perRow = alike === 0 ? rows : rows.map((row) => row.filter((_, column) => (alike & (1 << column)) === 0));
    const params = [JSON.stringify(perRow), ...this.#freshValues, ...hoisted];
    return { text: this.#text(alike), params, next: params.length + 1 };
  }

  #text(alike: number): string {
    const cached = this.#texts.get(alike);
    if (cached !== undefined) return cached;
    const cast = (field: keyof Task, param: number): string => `CAST($${param} AS ${taskColumnTable[field].type})`;
    const perRow = (column: number): boolean => (alike & (1 << column)) === 0;
    let param = 2 + this.#fresh.length;
    const select = this.#fields.map((field, column) => (perRow(column) ? taskColumnTable[field].name : cast(field, param++)));
    const shared = this.#fresh.map((field, i) => cast(field, i + 2));
    const names = [...this.#fields, ...this.#fresh].map((field) => taskColumnTable[field].name);
    const numbered = this.#numbered === undefined ? { names: [], values: [] } : { names: ['seq'], values: [this.#numbered] };
    const from = this.#store.jsonRows(1, this.#fields.filter((_, column) => perRow(column)).map(jsonColumn));
    const text = `INSERT INTO ${this.#table} (${[...names, ...numbered.names].join(', ')}) SELECT ${[...select, ...shared, ...numbered.values].join(', ')} FROM (${from}) AS r`;
    this.#texts.set(alike, text);
    return text;
  }
}
