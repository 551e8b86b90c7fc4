import { Table, TableIndex } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tableSql } from '../entities.js';

/**
 * Version 1 of kokugen's schema: the task and series tables with their indexes. Migrations are
 * append-only snapshots: a later change is a new class (0002, ...) appended to
 * `kokugenMigrations`, never an edit of this one, so table and column names are spelt out here
 * rather than imported. TypeORM orders migrations by the 13 digits that end `name`.
 */
export class InitialSchema0001 implements MigrationInterface {
  readonly name = 'KokugenInitialSchema1795392000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'kokugen_tasks',
        columns: [
          { name: 'id', type: 'varchar', length: '200', isPrimary: true, primaryKeyConstraintName: 'PK_kokugen_tasks' },
          { name: 'work_id', type: 'text' },
          { name: 'param', type: 'text' },
          { name: 'scheduled_at', type: 'bigint' },
          { name: 'priority', type: 'integer' },
          { name: 'seq', type: 'bigint' },
          { name: 'meta', type: 'text' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'created_at', type: 'bigint' },
          { name: 'dispatched_at', type: 'bigint', isNullable: true },
          { name: 'ended_at', type: 'bigint', isNullable: true },
          { name: 'result', type: 'text' },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'attempt', type: 'integer' },
          { name: 'owner', type: 'varchar', length: '200', isNullable: true },
          { name: 'recovered', type: 'boolean' },
          { name: 'series_id', type: 'varchar', length: '200', isNullable: true },
          { name: 'retry', type: 'text', isNullable: true },
          { name: 'timeout', type: 'double precision', isNullable: true },
          { name: 'deadline', type: 'bigint', isNullable: true },
          { name: 'errors', type: 'text' },
        ],
        indices: [
          new TableIndex({ name: 'IDX_kokugen_tasks_seq', columnNames: ['seq'], isUnique: true }),
          new TableIndex({ name: 'IDX_kokugen_tasks_state_seq', columnNames: ['state', 'seq'] }),
          new TableIndex({ name: 'IDX_kokugen_tasks_series', columnNames: ['series_id', 'state'] }),
        ],
      }),
    );
    // Serves claimDue's ORDER BY exactly (a mixed-direction order needs a matching index on PostgreSQL).
    await queryRunner.query(`CREATE INDEX "IDX_kokugen_tasks_due" ON ${tableSql(queryRunner.connection, 'kokugen_tasks')} ("state", "scheduled_at", "priority" DESC, "seq")`);
    await queryRunner.createTable(
      new Table({
        name: 'kokugen_series',
        columns: [
          { name: 'id', type: 'varchar', length: '200', isPrimary: true, primaryKeyConstraintName: 'PK_kokugen_series' },
          { name: 'seq', type: 'bigint' },
          { name: 'work_id', type: 'text' },
          { name: 'param', type: 'text' },
          { name: 'schedule', type: 'text' },
          { name: 'misfire', type: 'varchar', length: '16' },
          { name: 'grace', type: 'double precision' },
          { name: 'priority', type: 'integer' },
          { name: 'meta', type: 'text' },
          { name: 'retry', type: 'text', isNullable: true },
          { name: 'timeout', type: 'double precision', isNullable: true },
          { name: 'enabled', type: 'boolean' },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_kokugen_series_seq', columnNames: ['seq'], isUnique: true })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('kokugen_series');
    await queryRunner.dropTable('kokugen_tasks');
  }
}
