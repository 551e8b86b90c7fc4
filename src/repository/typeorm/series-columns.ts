import type { Series } from '../../schedule/series.js';
import { boolean, columnList, json, number, readRow, rowValues, text } from './columns.js';
import type { Column } from './columns.js';
import type { Row } from './task-row.js';

/**
 * The one description of how a series is stored (see `taskColumnTable`): its fields in column order,
 * and `seq`, its creation order, which only the table keeps.
 */
export const seriesColumnTable = {
  id: { name: 'id', type: 'varchar', length: 200, codec: text },
  seq: { name: 'seq', type: 'bigint', codec: number },
  workId: { name: 'work_id', type: 'text', codec: text },
  param: { name: 'param', type: 'text', codec: json },
  schedule: { name: 'schedule', type: 'text', codec: json },
  misfire: { name: 'misfire', type: 'varchar', length: 16, codec: text },
  grace: { name: 'grace', type: 'double precision', codec: number },
  priority: { name: 'priority', type: 'integer', codec: number },
  meta: { name: 'meta', type: 'text', codec: json },
  retry: { name: 'retry', type: 'text', nullable: true, codec: json },
  timeout: { name: 'timeout', type: 'double precision', nullable: true, codec: number },
  enabled: { name: 'enabled', type: 'boolean', codec: boolean },
  error: { name: 'error', type: 'text', nullable: true, codec: json },
  createdAt: { name: 'created_at', type: 'bigint', codec: number },
} as const satisfies { readonly [K in keyof Series | 'seq']: Column };

/** The series table's columns, in the order of `seriesValues`. */
export const seriesColumns = columnList(seriesColumnTable);
export const seriesColumnCount = Object.keys(seriesColumnTable).length;

export function toSeries(row: Row): Series {
  return readRow(seriesColumnTable, row, ['seq']) as unknown as Series;
}

export function seriesValues(series: Series, seq: number): unknown[] {
  return rowValues(seriesColumnTable, { ...series, seq }, 'series ');
}
