import type { DataSource } from 'typeorm';
import { SeriesEntity } from './series-entity.js';
import { TaskEntity } from './task-entity.js';

/** The entities to add to a DataSource that kokugen shares. */
export const kokugenEntities = [TaskEntity, SeriesEntity] as const;

/**
 * A kokugen table as SQL: quoted, and on PostgreSQL qualified with the DataSource's schema, which
 * is where TypeORM's `createTable` put it.
 */
export function tableSql(dataSource: DataSource, table: string): string {
  const { driver } = dataSource;
  const { schema, tableName } = driver.parseTableName(table);
  const quoted = driver.escape(tableName);
  return dataSource.options.type === 'postgres' && schema !== undefined && schema !== '' ? `${driver.escape(schema)}.${quoted}` : quoted;
}
