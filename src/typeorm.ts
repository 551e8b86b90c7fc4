/**
 * `kokugen/typeorm`: the durable repository. A subpath of its own so that the core never loads
 * TypeORM or a database driver; install `typeorm` (0.3 or 1.x) and `better-sqlite3`, `sqlite3` (0.3
 * only) or `pg` to use it.
 */
export {
  Flows0003,
  Keys0005,
  InitialSchema0001,
  kokugenEntities,
  kokugenMigrations,
  LeanIndexes0006,
  Leases0004,
  migrationsTableName,
  runMigrations,
  SeriesEntity,
  seriesTable,
  TaskEntity,
  tasksTable,
  TypeOrmRepository,
} from './repository/typeorm/index.js';
export type { EndedRetention, PostgresOpenOptions, SeriesRecord, SqliteOpenOptions, TaskRecord, TypeOrmOpenOptions, TypeOrmRepositoryOptions, TypeOrmRetentionOptions } from './repository/typeorm/index.js';
