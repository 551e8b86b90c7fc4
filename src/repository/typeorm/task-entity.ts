import { EntitySchema } from 'typeorm';
import type { EntitySchemaOptions } from 'typeorm';
import type { TaskState } from '../../task/task.js';
import { entityColumns } from './columns.js';
import { leaseColumnTable, taskColumnTable } from './task-columns.js';

/** kokugen's task table. Its indexes are named after it, so they never collide with an application's. */
export const tasksTable = 'kokugen_tasks';

/**
 * A task row as TypeORM reads it through `TaskEntity`: times as epoch ms numbers, the JSON fields
 * (`param`, `result`, `meta`, `error`, `retry`, `errors`, `dependsOn`) as the JSON text kokugen stored. For
 * inspection and reports; kokugen itself reads and writes the table with parameterised SQL. A test
 * holds its fields to `Task`'s.
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
  flowId: string | null;
  dependsOn: string | null;
  key: string | null;
  keyHeld: string | null;
  /** When the lease of a dispatched task ends (epoch ms on the clock the repository decides time with); null otherwise. */
  leaseUntil: number | null;
}

/**
 * The TypeORM entity for `kokugen_tasks`. Add it (see `kokugenEntities`, with `kokugenMigrations`)
 * to your own DataSource for `new TypeOrmRepository(dataSource)`. It matches what the migrations
 * create (its columns come from `taskColumnTable`): TypeORM's schema diff against a migrated database is empty.
 */
export const TaskEntity = new EntitySchema<TaskRecord>({
  name: 'KokugenTask',
  tableName: tasksTable,
  columns: entityColumns({ ...taskColumnTable, ...leaseColumnTable }, { id: { primary: true, primaryKeyConstraintName: 'PK_kokugen_tasks' } }) as EntitySchemaOptions<TaskRecord>['columns'],
  indices: [
    { name: 'IDX_kokugen_tasks_seq', columns: ['seq'], unique: true },
    { name: 'IDX_kokugen_tasks_state_seq', columns: ['state', 'seq'] },
    // Partial on the column being set (see LeanIndexes0006), which TypeORM does not compare.
    { name: 'IDX_kokugen_tasks_flow', columns: ['flowId'], synchronize: false },
    { name: 'IDX_kokugen_tasks_series', columns: ['seriesId', 'state'], synchronize: false },
    // SQLite only since LeanIndexes0006; TypeORM cannot express its DESC column, so schema sync leaves it be.
    { name: 'IDX_kokugen_tasks_due', columns: ['state', 'scheduledAt', 'priority', 'seq'], synchronize: false },
    // Partial unique indexes (the dedup keys), made by migration Keys0005.
    { name: 'IDX_kokugen_tasks_key', columns: ['key'], unique: true, synchronize: false },
    { name: 'IDX_kokugen_tasks_key_held', columns: ['key'], unique: true, synchronize: false },
    // Partial indexes (see Leases0004), which TypeORM does not compare either.
    { name: 'IDX_kokugen_tasks_claim', columns: ['scheduledAt', 'priority', 'seq'], synchronize: false },
    { name: 'IDX_kokugen_tasks_lease', columns: ['leaseUntil'], synchronize: false },
  ],
});
