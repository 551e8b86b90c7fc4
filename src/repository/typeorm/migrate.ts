import type { DataSource } from 'typeorm';
import { storeType } from './task-store.js';

/** The advisory lock key that serialises migrations across processes ('kokugenm' in ASCII). */
const migrationLock = '7741524436463218285';

/**
 * Runs the DataSource's pending migrations so that several processes opening one store at once
 * migrate it once: SQLite runs them inside one BEGIN IMMEDIATE (all or nothing, one process at a
 * time); PostgreSQL holds a session advisory lock around TypeORM's own migration transaction.
 */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    if (storeType(dataSource) === 'sqlite') {
      // TypeORM's SQLite drivers share this one connection, so its migration queries run inside this transaction.
      await runner.query('BEGIN IMMEDIATE');
      try {
        await dataSource.runMigrations({ transaction: 'none' });
        await runner.query('COMMIT');
      } catch (error) {
        await runner.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      return;
    }
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [migrationLock]);
    try {
      await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [migrationLock]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
