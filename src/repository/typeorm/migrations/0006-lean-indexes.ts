import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tableSql } from '../entities.js';

/**
 * Version 6: fewer index entries per task. A claim and an ending each write a new row version;
 * on PostgreSQL that version enters every index of the table (its state is in the claim index's
 * predicate, so the update is never HOT), on SQLite every index holding a column it changes.
 *
 * - On PostgreSQL `IDX_kokugen_tasks_due` (state, scheduled_at, priority DESC, seq) goes: since
 *   Leases0004 the partial `IDX_kokugen_tasks_claim` serves claims and the earliest due time, and
 *   holds only scheduled rows; the other reads by state have `IDX_kokugen_tasks_state_seq`.
 *   SQLite keeps it: without statistics its planner prefers `state_seq` and a sort of every
 *   scheduled row to the partial index, where this one gives it the order too.
 * - `IDX_kokugen_tasks_flow` and `IDX_kokugen_tasks_series` hold only the tasks of a flow or a
 *   series (partial on the column being set): every read through them asks for one flow or one
 *   series, which implies it, and most tasks belong to neither.
 */
export class LeanIndexes0006 implements MigrationInterface {
  readonly name = 'KokugenLeanIndexes1795392000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { tasks, index, postgres } = names(queryRunner);
    if (postgres) await queryRunner.query(`DROP INDEX ${index('IDX_kokugen_tasks_due')}`);
    await queryRunner.query(`DROP INDEX ${index('IDX_kokugen_tasks_flow')}`);
    await queryRunner.query(`CREATE INDEX "IDX_kokugen_tasks_flow" ON ${tasks} ("flow_id") WHERE "flow_id" IS NOT NULL`);
    await queryRunner.query(`DROP INDEX ${index('IDX_kokugen_tasks_series')}`);
    await queryRunner.query(`CREATE INDEX "IDX_kokugen_tasks_series" ON ${tasks} ("series_id", "state") WHERE "series_id" IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const { tasks, index, postgres } = names(queryRunner);
    await queryRunner.query(`DROP INDEX ${index('IDX_kokugen_tasks_series')}`);
    await queryRunner.query(`CREATE INDEX "IDX_kokugen_tasks_series" ON ${tasks} ("series_id", "state")`);
    await queryRunner.query(`DROP INDEX ${index('IDX_kokugen_tasks_flow')}`);
    await queryRunner.query(`CREATE INDEX "IDX_kokugen_tasks_flow" ON ${tasks} ("flow_id")`);
    if (postgres) await queryRunner.query(`CREATE INDEX "IDX_kokugen_tasks_due" ON ${tasks} ("state", "scheduled_at", "priority" DESC, "seq")`);
  }
}

/** The tasks table, an index's name as DROP INDEX takes it (schema-qualified on PostgreSQL), and the dialect. */
function names(queryRunner: QueryRunner): { tasks: string; index: (name: string) => string; postgres: boolean } {
  const tasks = tableSql(queryRunner.connection, 'kokugen_tasks');
  const postgres = queryRunner.connection.options.type === 'postgres';
  const schema = postgres ? tasks.replace(/"kokugen_tasks"$/, '') : '';
  return { tasks, index: (name) => `${schema}"${name}"`, postgres };
}
