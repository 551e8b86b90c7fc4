/**
 * Which TypeORM line this test run is on. The `typeorm-1` vitest project (vitest.config.ts) sets
 * KOKUGEN_TYPEORM_LINE=1 and resolves `typeorm` to test/compat/typeorm1; the other runs on the
 * project's own TypeORM 0.3.
 */
import { fileURLToPath } from 'node:url';

export const typeormLine: '0.3' | '1' = process.env['KOKUGEN_TYPEORM_LINE'] === '1' ? '1' : '0.3';

/** The DataSource type of a SQLite database on this line (TypeORM 1.x has no 'sqlite'). */
export const sqliteType: 'sqlite' | 'better-sqlite3' = typeormLine === '1' ? 'better-sqlite3' : 'sqlite';

/**
 * `node` options for a child process that runs the built package (dist/): on the 1.x line, a
 * resolve hook that sends its `typeorm` imports to the same install as this process's.
 */
export const childExecArgv: readonly string[] = typeormLine === '1' ? ['--import', fileURLToPath(new URL('typeorm1/register.mjs', import.meta.url))] : [];

export type SqliteType = 'sqlite' | 'better-sqlite3';

/** The SQLite DataSource types this line has: TypeORM 0.3 has both drivers, 1.x only better-sqlite3. */
export const sqliteTypes: readonly SqliteType[] = typeormLine === '1' ? ['better-sqlite3'] : ['sqlite', 'better-sqlite3'];
