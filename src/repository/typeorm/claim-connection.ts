import type { DataSource } from 'typeorm';
import type { Row } from './task-row.js';
import type { Sql } from './task-store.js';

/*
 * Driver internals, as in pg-notifier.ts (checked against pg 8 and TypeORM 0.3 and 1.x): the client
 * is made from TypeORM's loaded driver module (`driver.postgres`) with the options of its pool
 * (`driver.master.options`), so it reaches the server the DataSource does, with its credentials
 * and TLS settings.
 */
interface PgClient {
  connect(): Promise<unknown>;
  query(text: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  end(): Promise<void>;
  on(event: 'error' | 'end', listener: (error?: unknown) => void): unknown;
}

type PgDriver = { postgres: { Client: new (options: object) => PgClient }; master: { options: object } };

/**
 * The connection a PostgreSQL store claims on: a client of its own, outside the DataSource's pool,
 * whose whole session walks the claim index in order (`enable_bitmapscan` and `enable_sort` off:
 * it runs nothing but claims; see `PostgresStore.claim` for why). So a claim needs no transaction
 * to scope those settings, and is one statement, one round trip, instead of three.
 *
 * Connected at the first claim; a lost connection is dropped and the next claim connects again;
 * `close()` ends it (the store stays usable). Errors reach the claim, which reports them as any
 * failed claim is reported.
 */
export class ClaimConnection {
  readonly #dataSource: DataSource;
  /** The connection, connected or on its way; undefined before the first claim and once lost or closed. */
  #client: Promise<PgClient> | undefined;

  constructor(dataSource: DataSource) {
    this.#dataSource = dataSource;
  }

  /** Runs `work` with statements on this connection. */
  async run<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await this.#connected();
    return work(async (text, params = []) => {
      const result = await client.query(text, [...params]);
      return { rows: result.rows, affected: result.rowCount ?? 0 };
    });
  }

  /** Ends the connection, if any; the next `run` connects again. */
  async close(): Promise<void> {
    const connecting = this.#client;
    this.#client = undefined;
    const client = await connecting?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  #connected(): Promise<PgClient> {
    if (this.#client !== undefined) return this.#client;
    const driver = this.#dataSource.driver as unknown as PgDriver;
    const client = new driver.postgres.Client({ ...driver.master.options });
    const connecting = (async (): Promise<PgClient> => {
      await client.connect();
      await client.query('SET enable_bitmapscan = off; SET enable_sort = off');
      return client;
    })();
    this.#client = connecting;
    const drop = (): void => {
      if (this.#client === connecting) this.#client = undefined;
    };
    // A lost connection emits 'error' and then 'end': the next claim connects again.
    client.on('error', () => undefined);
    client.on('end', drop);
    connecting.catch(() => {
      drop();
      void client.end().catch(() => undefined);
    });
    return connecting;
  }
}
