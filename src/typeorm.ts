/**
 * `kokugen/typeorm`: the durable repository. A subpath of its own so that the core never loads
 * TypeORM or a database driver; install `typeorm` and `sqlite3` or `pg` to use it.
 */
export {
  Flows0003,
  InitialSchema0001,
  kokugenEntities,
  kokugenMigrations,
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
