import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tableSql } from '../entities.js';

/**
 * Version 3 of kokugen's schema: workflows. A task may belong to a flow (`flow_id`) and wait for
 * other tasks (`depends_on`, JSON). Existing tasks get nulls: they are outside any flow. The index
 * serves the lookup of a flow's tasks that the write ending one of them makes. Plain ALTER TABLE
 * on both dialects: TypeORM's SQLite `addColumn` rebuilds the table, which would not keep the
 * hand-made DESC index of 0001.
 */
export class Flows0003 implements MigrationInterface {
  readonly name = 'KokugenFlows1795392000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const tasks = tableSql(queryRunner.connection, 'kokugen_tasks');
    await queryRunner.query(`ALTER TABLE ${tasks} ADD COLUMN "flow_id" varchar(200) NULL`);
    await queryRunner.query(`ALTER TABLE ${tasks} ADD COLUMN "depends_on" text NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_kokugen_tasks_flow" ON ${tasks} ("flow_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const tasks = tableSql(queryRunner.connection, 'kokugen_tasks');
    await queryRunner.query(`DROP INDEX "IDX_kokugen_tasks_flow"`);
    await queryRunner.query(`ALTER TABLE ${tasks} DROP COLUMN "depends_on"`);
    await queryRunner.query(`ALTER TABLE ${tasks} DROP COLUMN "flow_id"`);
  }
}
