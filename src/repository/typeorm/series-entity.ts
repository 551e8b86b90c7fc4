import { EntitySchema } from 'typeorm';
import type { EntitySchemaOptions } from 'typeorm';
import type { Misfire } from '../../schedule/series.js';
import { entityColumns } from './columns.js';
import { seriesColumnTable } from './series-columns.js';

/** kokugen's table of recurring series. */
export const seriesTable = 'kokugen_series';

/** A series row as TypeORM reads it through `SeriesEntity`; JSON fields as text. */
export interface SeriesRecord {
  id: string;
  seq: number;
  workId: string;
  param: string;
  schedule: string;
  misfire: Misfire;
  grace: number;
  priority: number;
  meta: string;
  retry: string | null;
  timeout: number | null;
  enabled: boolean;
  error: string | null;
  createdAt: number;
}

/** The TypeORM entity for `kokugen_series`; see `TaskEntity`. Its columns come from `seriesColumnTable`. */
export const SeriesEntity = new EntitySchema<SeriesRecord>({
  name: 'KokugenSeries',
  tableName: seriesTable,
  columns: entityColumns(seriesColumnTable, { id: { primary: true, primaryKeyConstraintName: 'PK_kokugen_series' } }) as EntitySchemaOptions<SeriesRecord>['columns'],
  indices: [{ name: 'IDX_kokugen_series_seq', columns: ['seq'], unique: true }],
});
