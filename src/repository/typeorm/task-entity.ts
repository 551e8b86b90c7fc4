import { EntitySchema } from 'typeorm';
import type { ValueTransformer } from 'typeorm';
import type { TaskState } from '../../task/task.js';

/** kokugen's task table. Its indexes are named after it, so they never collide with an application's. */
export const tasksTable = 'kokugen_tasks';

/**
 * A task row as TypeORM reads it through `TaskEntity`: times as epoch ms numbers, the JSON fields
 * (`param`, `result`, `meta`, `error`, `retry`, `errors`) as the JSON text kokugen stored. For
 * inspection and reports; kokugen itself reads and writes the table with parameterised SQL.
 */
export interface TaskRecord {
  id: string;
  workId: string;
  param: string;
  scheduledAt: number;
  priority: number;
  seq: number;
  meta: string;
  state: TaskState;
  createdAt: number;
  dispatchedAt: number | null;
  endedAt: number | null;
  result: string;
  error: string | null;
  attempt: number;
  owner: string | null;
  recovered: boolean;
  seriesId: string | null;
  retry: string | null;
  timeout: number | null;
  deadline: number | null;
  errors: string;
}

/** pg hands BIGINT out as a string (it may exceed 2^53); kokugen's times and seqs never do. */
export const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * The TypeORM entity for `kokugen_tasks`. Add it (see `kokugenEntities`, with `kokugenMigrations`)
 * to your own DataSource for `new TypeOrmRepository(dataSource)`. It matches what the migrations
 * create: TypeORM's schema diff against a migrated database is empty.
 */
export const TaskEntity = new EntitySchema<TaskRecord>({
  name: 'KokugenTask',
  tableName: tasksTable,
  columns: {
    id: { type: 'varchar', length: 200, primary: true, primaryKeyConstraintName: 'PK_kokugen_tasks' },
    workId: { name: 'work_id', type: 'text' },
    param: { type: 'text' },
    scheduledAt: { name: 'scheduled_at', type: 'bigint', transformer: epochMs },
    priority: { type: 'integer' },
    seq: { type: 'bigint', transformer: epochMs },
    meta: { type: 'text' },
    state: { type: 'varchar', length: 16 },
    createdAt: { name: 'created_at', type: 'bigint', transformer: epochMs },
    dispatchedAt: { name: 'dispatched_at', type: 'bigint', nullable: true, transformer: epochMs },
    endedAt: { name: 'ended_at', type: 'bigint', nullable: true, transformer: epochMs },
    result: { type: 'text' },
    error: { type: 'text', nullable: true },
    attempt: { type: 'integer' },
    owner: { type: 'varchar', length: 200, nullable: true },
    recovered: { type: 'boolean' },
    seriesId: { name: 'series_id', type: 'varchar', length: 200, nullable: true },
    retry: { type: 'text', nullable: true },
    timeout: { type: 'double precision', nullable: true },
    deadline: { type: 'bigint', nullable: true, transformer: epochMs },
    errors: { type: 'text' },
  },
  indices: [
    { name: 'IDX_kokugen_tasks_seq', columns: ['seq'], unique: true },
    { name: 'IDX_kokugen_tasks_state_seq', columns: ['state', 'seq'] },
    { name: 'IDX_kokugen_tasks_series', columns: ['seriesId', 'state'] },
    // TypeORM cannot express the DESC column, so the migration creates this one and schema sync leaves it be.
    { name: 'IDX_kokugen_tasks_due', columns: ['state', 'scheduledAt', 'priority', 'seq'], synchronize: false },
  ],
});
