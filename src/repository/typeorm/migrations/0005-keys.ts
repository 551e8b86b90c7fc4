import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tableSql } from '../entities.js';

/**
 * Version 5: creation order without a lock. On PostgreSQL each table takes its `seq` from a
 * sequence (`kokugen_tasks_seq`, `kokugen_series_seq`), started after the largest seq stored, in
 * place of MAX(seq) + 1 under a global advisory lock, which made every add wait for any open
 * transaction that had added a task (an application's, since tasks can be added in one). SQLite
 * has one writer per file and keeps MAX(seq) + 1. Stop processes of older versions before this
 * runs: they would still number by MAX(seq) + 1.
 */
export class Keys0005 implements MigrationInterface {
  readonly name = 'KokugenKeys1795392000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'postgres') return;
    for (const table of ['kokugen_tasks', 'kokugen_series']) {
      const sequence = tableSql(queryRunner.connection, `${table}_seq`);
      await queryRunner.query(`CREATE SEQUENCE ${sequence} AS bigint MINVALUE 0 START WITH 0`);
      await queryRunner.query(`SELECT setval('${sequence.replaceAll("'", "''")}', COALESCE((SELECT MAX(seq) + 1 FROM ${tableSql(queryRunner.connection, table)}), 0), false)`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'postgres') return;
    for (const table of ['kokugen_tasks', 'kokugen_series']) await queryRunner.query(`DROP SEQUENCE ${tableSql(queryRunner.connection, `${table}_seq`)}`);
  }
}
