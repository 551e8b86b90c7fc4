/**
 * One description of the stored fields (task-columns.ts, series-columns.ts): the row mappers that
 * are written out for speed must agree with it field by field, and the types that spell the
 * fields out must have exactly the model's fields.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Series, Task } from '../../src/index.js';
import { TaskState } from '../../src/index.js';
import { createdTask, snapshot } from '../../src/repository/index.js';
import { readRow, writeColumn } from '../../src/repository/typeorm/columns.js';
import { seriesColumns, seriesColumnTable, seriesValues, toSeries } from '../../src/repository/typeorm/series-columns.js';
import { fromJsonRow, jsonRowColumns, realColumns } from '../../src/repository/typeorm/sqlite-json-row.js';
import { leaseColumnTable, taskColumns, taskColumnTable, taskFields } from '../../src/repository/typeorm/task-columns.js';
import { taskValues, toTask } from '../../src/repository/typeorm/task-row.js';
import type { Row } from '../../src/repository/typeorm/task-row.js';
import type { SeriesRecord, TaskRecord } from '../../src/typeorm.js';

/** A task with every field set, each to a value no other field has. */
const full: Task = snapshot(
  createdTask(
    {
      id: 'task-1',
      workId: 'work-1',
      param: { p: [1, 'two'] },
      scheduledAt: 1_000,
      priority: -3,
      meta: { team: 'ops' },
      createdAt: 900,
      seriesId: 'series-1',
      retry: { attempts: 3, backoff: 'fixed', delay: 10, maxDelay: 100, jitter: 0.5 },
      timeout: 2_500.5,
      deadline: 5_000,
    },
    42,
  ),
  {
    state: TaskState.Failed,
    dispatchedAt: 1_100,
    endedAt: 1_200,
    result: { r: true },
    error: { name: 'TypeError', message: 'boom' },
    attempt: 2,
    owner: 'owner-1',
    recovered: true,
    errors: [{ name: 'TypeError', message: 'boom', attempt: 2, at: 1_200 }],
  },
);

const columnNames = taskFields.map((field) => taskColumnTable[field].name);

/** `values` under the table's column names, as a driver returns a row. */
function rowOf(values: readonly unknown[]): Row {
  return Object.fromEntries(columnNames.map((name, i) => [name, values[i]]));
}

describe('the task table', () => {
  it('has exactly the fields of Task, as the entity record has with the lease columns', () => {
    expectTypeOf<keyof typeof taskColumnTable>().toEqualTypeOf<keyof Task>();
    expectTypeOf<keyof TaskRecord>().toEqualTypeOf<keyof Task | keyof typeof leaseColumnTable>();
    expect(taskColumns).toBe(columnNames.join(', '));
    // The model's own literals (createdTask, snapshot), written out for speed, spell the same fields in the same order.
    expect(Object.keys(full)).toEqual(taskFields);
    expect(Object.keys(createdTask({ id: 'x', workId: 'w', param: null, scheduledAt: 0, priority: 0, meta: {}, createdAt: 0, seriesId: null, retry: null, timeout: null, deadline: null }, 0))).toEqual(taskFields);
  });

  it('taskValues writes each field in column order, as its column codec does', () => {
    expect(taskValues(full)).toEqual(taskFields.map((field) => writeColumn(taskColumnTable[field], full[field], field)));
  });

  it('toTask reads each column as its codec does, from the rows of either driver', () => {
    const values = taskValues(full);
    const sqlite = rowOf(values.map((value) => (typeof value === 'boolean' ? Number(value) : value)));
    const pg = rowOf(values.map((value, i) => (taskColumnTable[taskFields[i]!].type === 'bigint' && typeof value === 'number' ? String(value) : value)));
    for (const row of [rowOf(values), sqlite, pg]) {
      const task = toTask(row);
      expect(task).toStrictEqual(full);
      expect(task).toStrictEqual(readRow(taskColumnTable, row));
      expect(Object.keys(task)).toEqual(taskFields);
      expect(Object.isFrozen(task)).toBe(true);
    }
  });

  it('fromJsonRow reads the columns of returningJson in their order', () => {
    const names = jsonRowColumns();
    const row = fromJsonRow({ k_row: JSON.stringify(names), ...Object.fromEntries(realColumns().map((name) => [name, name])) });
    expect(Object.entries(row).filter(([key, value]) => key !== value)).toEqual([]);
    expect(Object.keys(row)).toEqual(columnNames);
  });
});

describe('the series table', () => {
  const series: Series = {
    id: 'series-1',
    workId: 'work-1',
    param: { p: 1 },
    schedule: { kind: 'every', ms: 100, anchor: 0 },
    misfire: 'all',
    grace: 250.5,
    priority: 4,
    meta: { k: 'v' },
    retry: null,
    timeout: 1_500,
    enabled: false,
    error: { name: 'InvalidScheduleError', message: 'produced an invalid Date' },
    createdAt: 77,
  };

  it('has exactly the fields of Series and seq, as the entity record has', () => {
    expectTypeOf<keyof typeof seriesColumnTable>().toEqualTypeOf<keyof Series | 'seq'>();
    expectTypeOf<keyof SeriesRecord>().toEqualTypeOf<keyof Series | 'seq'>();
  });

  it('writes a series in column order and reads it back', () => {
    const values = seriesValues(series, 7);
    const names = seriesColumns.split(', ');
    expect(values[names.indexOf('seq')]).toBe(7);
    const row = Object.fromEntries(names.map((name, i) => [name, values[i]]));
    expect(toSeries(row)).toStrictEqual(Object.freeze({ ...series }));
    expect(toSeries({ ...row, enabled: 1, created_at: '77', seq: '7' })).toStrictEqual({ ...series, enabled: true });
  });
});
