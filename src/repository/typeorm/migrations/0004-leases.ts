import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tableSql } from '../entities.js';

/**
 * Version 4: leases. A dispatched task carries `lease_until` (epoch ms, on the clock the
 * repository decides time with): past it, any process's claim may take the task over. Tasks
 * dispatched before this version have none and are left to same-owner recovery, as before.
 *
 * Two partial indexes keep claims an index walk whatever the planner statistics say: the
 * scheduled rows in run order (the claim's ORDER BY ... LIMIT stops after its first entries, and
 * the index holds no ended rows), and the dispatched rows by lease end (the takeover's probe).
 */
export class Leases0004 implements MigrationInterface {
  readonly name = 'KokugenLeases1795392000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    const tasks = tableSql(queryRunner.connection, 'kokugen_tasks');
    await queryRunner.query(`ALTER TABLE ${tasks} ADD COLUMN "lease_until" bigint NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_kokugen_tasks_claim" ON ${tasks} ("scheduled_at", "priority" DESC, "seq") WHERE "state" = 'scheduled'`);
    await queryRunner.query(`CREATE INDEX "IDX_kokugen_tasks_lease" ON ${tasks} ("lease_until") WHERE "state" = 'dispatched'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const tasks = tableSql(queryRunner.connection, 'kokugen_tasks');
    await queryRunner.query(`DROP INDEX "IDX_kokugen_tasks_lease"`);
    await queryRunner.query(`DROP INDEX "IDX_kokugen_tasks_claim"`);
    await queryRunner.query(`ALTER TABLE ${tasks} DROP COLUMN "lease_until"`);
  }
}
