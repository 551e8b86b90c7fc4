import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tableSql } from '../entities.js';

/**
 * Version 5: dedup keys, and creation order without a lock.
 *
 * A task may hold a key (`dedup_key`, with `key_held` saying how long): one partial unique index
 * keeps at most one `scheduled` task per key, a second at most one `scheduled` or `dispatched`
 * one among those that hold it until they end, so two processes adding with one key cannot both
 * succeed. Plain ALTER TABLE on both dialects, as in 0003.
 *
 * On PostgreSQL each table takes its `seq` from a sequence (`kokugen_tasks_seq`,
 * `kokugen_series_seq`), started after the largest seq stored, in place of MAX(seq) + 1 under a
 * global advisory lock, which made every add wait for any open transaction that had added a task
 * (an application's, since tasks can be added in one). SQLite has one writer per file and keeps
 * MAX(seq) + 1. Stop processes of older versions before this runs: they would still number by
 * MAX(seq) + 1.
 */
export class Keys0005 implements MigrationInterface {
  readonly name = 'KokugenKeys1795392000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    const tasks = tableSql(queryRunner.connection, 'kokugen_tasks');
    await queryRunner.query(`ALTER TABLE ${tasks} ADD COLUMN "dedup_key" varchar(200) NULL`);
    await queryRunner.query(`ALTER TABLE ${tasks} ADD COLUMN "key_held" varchar(16) NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_kokugen_tasks_key" ON ${tasks} ("dedup_key") WHERE "dedup_key" IS NOT NULL AND "state" = 'scheduled'`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_kokugen_tasks_key_held" ON ${tasks} ("dedup_key") WHERE "key_held" = 'ended' AND "state" IN ('scheduled', 'dispatched')`);
    if (queryRunner.connection.options.type !== 'postgres') return;
    for (const table of ['kokugen_tasks', 'kokugen_series']) {
      const sequence = tableSql(queryRunner.connection, `${table}_seq`);
      await queryRunner.query(`CREATE SEQUENCE ${sequence} AS bigint MINVALUE 0 START WITH 0`);
      await queryRunner.query(`SELECT setval('${sequence.replaceAll("'", "''")}', COALESCE((SELECT MAX(seq) + 1 FROM ${tableSql(queryRunner.connection, table)}), 0), false)`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const tasks = tableSql(queryRunner.connection, 'kokugen_tasks');
    if (queryRunner.connection.options.type === 'postgres') {
      for (const table of ['kokugen_tasks', 'kokugen_series']) await queryRunner.query(`DROP SEQUENCE ${tableSql(queryRunner.connection, `${table}_seq`)}`);
    }
    const schema = queryRunner.connection.options.type === 'postgres' ? tasks.replace(/"kokugen_tasks"$/, '') : '';
    await queryRunner.query(`DROP INDEX ${schema}"IDX_kokugen_tasks_key_held"`);
    await queryRunner.query(`DROP INDEX ${schema}"IDX_kokugen_tasks_key"`);
    await queryRunner.query(`ALTER TABLE ${tasks} DROP COLUMN "key_held"`);
    await queryRunner.query(`ALTER TABLE ${tasks} DROP COLUMN "dedup_key"`);
  }
}
