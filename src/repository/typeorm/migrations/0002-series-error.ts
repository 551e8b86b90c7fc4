import { TableColumn } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Version 2: a series keeps why kokugen disabled it (`error`, JSON `{ name, message }`), set when
 * its schedule produced an unusable time and cleared when it is enabled again.
 */
export class SeriesError0002 implements MigrationInterface {
  readonly name = 'KokugenSeriesError1795392000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('kokugen_series', new TableColumn({ name: 'error', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('kokugen_series', 'error');
  }
}
