import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, inject } from 'vitest';
import { TypeOrmRepository } from '../../src/typeorm.js';
import type { TypeOrmRepositoryOptions } from '../../src/typeorm.js';

/** A repository on a store of its own; `close` closes it and removes the store. */
export interface StoreFixture {
  readonly repository: TypeOrmRepository;
  /** The SQLite file, or the PostgreSQL URL. */
  readonly location: string;
  readonly close: () => Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

/** The test server's URL (see test/setup/postgres.ts), or null when the PostgreSQL tests are skipped. */
export const pgUrl = inject('pgUrl');

/**
 * `describe` for PostgreSQL tests. It skips only when the global setup found no server outside CI
 * (under CI=true the setup fails instead), and then says so in this file's output too.
 */
export function describePostgres(name: string, body: () => void): void {
  if (pgUrl === null) console.warn(`SKIPPED (no PostgreSQL, see test/setup/postgres.ts): ${name}`);
  describe.skipIf(pgUrl === null)(name, body);
}

export function tempDir(): { readonly dir: string; readonly remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kokugen-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Migrated, emptied PostgreSQL databases that finished tests gave back: creating one costs ~300 ms. */
const spare: string[] = [];
afterAll(async () => {
  for (const name of spare.splice(0)) await admin(undefined, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

/**
 * A new SQLite file in a temp dir, or an empty PostgreSQL database; `drop` removes (or empties and
 * recycles) it. `fresh`: a database no test used before, without even kokugen's tables.
 */
export async function createStore(kind: StoreKind, fresh = false): Promise<{ readonly location: string; readonly drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const { dir, remove } = tempDir();
    return { location: join(dir, 'tasks.sqlite'), drop: () => Promise.resolve(remove()) };
  }
  const recycled = fresh ? undefined : spare.pop();
  const name = recycled ?? `kokugen_${randomUUID().replaceAll('-', '')}`;
  if (recycled === undefined) await admin(undefined, `CREATE DATABASE ${name}`);
  return {
    location: databaseUrl(name),
    drop: async () => {
      // Only a database that open() migrated is recycled (a test's own DataSource keeps another migrations table).
      const recyclable = await admin(name, `SELECT to_regclass('kokugen_migrations') IS NOT NULL AND to_regclass('migrations') IS NULL AS ok`);
      if (recyclable[0]?.['ok'] === true) {
        await admin(name, 'TRUNCATE kokugen_tasks, kokugen_series');
        spare.push(name);
      } else {
        await admin(undefined, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    },
  };
}

function databaseUrl(name: string): string {
  if (pgUrl === null) throw new Error('no PostgreSQL server for this test');
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** Runs one statement on `database`, or on the server's own URL. */
async function admin(database: string | undefined, statement: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: database === undefined ? (pgUrl ?? undefined) : databaseUrl(database) });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(statement)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A repository on an existing store. Time is the `now` the tests pass (`clock: 'local'`), so that
 * FakeClock tests hold on PostgreSQL too; the multi-process tests' children use the database's clock.
 */
export function openOn(kind: StoreKind, location: string, options: TypeOrmRepositoryOptions = {}): Promise<TypeOrmRepository> {
  const shared = { clock: 'local' as const, ...options };
  return kind === 'sqlite' ? TypeOrmRepository.open({ type: 'sqlite', database: location, ...shared }) : TypeOrmRepository.open({ type: 'postgres', url: location, ...shared });
}

/** A repository on a fresh store (with the local clock, as `openOn`). */
export async function openStore(kind: StoreKind, options: TypeOrmRepositoryOptions = {}): Promise<StoreFixture> {
  const { location, drop } = await createStore(kind);
  const repository = await openOn(kind, location, options);
  return {
    repository,
    location,
    close: async () => {
      await repository.close();
      await drop();
    },
  };
}
