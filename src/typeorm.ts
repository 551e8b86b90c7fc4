/**
 * `kokugen/typeorm`: the durable repository. A subpath of its own so that the core never loads
 * TypeORM or a database driver; install `typeorm` and `sqlite3` or `pg` to use it.
 */
export {
  Flows0002,
  InitialSchema0001,
  kokugenEntities,
  kokugenMigrations,
  migrationsTableName,
  runMigrations,
  SeriesEntity,
  seriesTable,
  TaskEntity,
  tasksTable,
  TypeOrmRepository,
} from './repository/typeorm/index.js';
export type { PostgresOpenOptions, SeriesRecord, SqliteOpenOptions, TaskRecord, TypeOrmOpenOptions, TypeOrmRepositoryOptions } from './repository/typeorm/index.js';
