import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * kokugen's migrations can be run by two routes on one database: `TypeOrmRepository.open()`
 * records them in `kokugen_migrations`, an application's DataSource with `kokugenMigrations` in its
 * own migrations table (`migrations` unless it names another). Each route must see what the other
 * ran, or it would create the tables again ("relation kokugen_tasks already exists"). So each
 * migration first looks for its name in every other TypeORM migrations table of the database (a
 * table with `timestamp` and `name` columns) and, found, changes nothing: TypeORM then records it
 * in the running route's table too.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeScript's mixin rule: a constructor of any[]
export function recordedElsewhere<T extends new (...args: any[]) => MigrationInterface & { readonly name: string }>(migration: T): T {
  return class extends migration {
    override async up(queryRunner: QueryRunner): Promise<void> {
      if (await isRecordedElsewhere(queryRunner, this.name)) return;
      await super.up(queryRunner);
    }
  };
}

async function isRecordedElsewhere(queryRunner: QueryRunner, name: string): Promise<boolean> {
  const { connection } = queryRunner;
  const current = connection.options.migrationsTableName ?? 'migrations';
  const driver = connection.driver;
  const tables: string[] = [];
  if (connection.options.type === 'postgres') {
    const rows = (await queryRunner.query(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.columns WHERE table_schema = current_schema() AND column_name IN ('timestamp', 'name') GROUP BY table_schema, table_name HAVING COUNT(*) = 2`,
    )) as Array<{ s: string; t: string }>;
    for (const { s, t } of rows) if (t !== current) tables.push(`${driver.escape(s)}.${driver.escape(t)}`);
  } else {
    const rows = (await queryRunner.query(
      `SELECT m.name AS t FROM sqlite_master AS m WHERE m.type = 'table' AND (SELECT COUNT(*) FROM pragma_table_info(m.name) AS c WHERE c.name IN ('timestamp', 'name')) = 2`,
    )) as Array<{ t: string }>;
    for (const { t } of rows) if (t !== current) tables.push(driver.escape(t));
  }
  const placeholder = connection.options.type === 'postgres' ? '$1' : '?';
  for (const table of tables) {
    const found = (await queryRunner.query(`SELECT 1 AS found FROM ${table} WHERE name = ${placeholder}`, [name])) as unknown[];
    if (found.length > 0) return true;
  }
  return false;
}
