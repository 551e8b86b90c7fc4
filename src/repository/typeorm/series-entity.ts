import { EntitySchema } from 'typeorm';
import type { Misfire } from '../../schedule/series.js';
import { epochMs } from './task-entity.js';

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
  createdAt: number;
}

/** The TypeORM entity for `kokugen_series`; see `TaskEntity`. */
export const SeriesEntity = new EntitySchema<SeriesRecord>({
  name: 'KokugenSeries',
  tableName: seriesTable,
  columns: {
    id: { type: 'varchar', length: 200, primary: true, primaryKeyConstraintName: 'PK_kokugen_series' },
    seq: { type: 'bigint', transformer: epochMs },
    workId: { name: 'work_id', type: 'text' },
    param: { type: 'text' },
    schedule: { type: 'text' },
    misfire: { type: 'varchar', length: 16 },
    grace: { type: 'double precision' },
    priority: { type: 'integer' },
    meta: { type: 'text' },
    retry: { type: 'text', nullable: true },
    timeout: { type: 'double precision', nullable: true },
    enabled: { type: 'boolean' },
    createdAt: { name: 'created_at', type: 'bigint', transformer: epochMs },
  },
  indices: [{ name: 'IDX_kokugen_series_seq', columns: ['seq'], unique: true }],
});
