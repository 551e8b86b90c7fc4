// A database of its own per bench run on a PostgreSQL server (created, then dropped), so that
// repeats and systems never see each other's rows and a PG_URL database is left untouched.
import pg from 'pg';

/** @returns {Promise<{ url: string, drop: () => Promise<void> }>} */
export async function scratchDatabase(serverUrl, prefix = 'kokugen_bench') {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const scratchUrl = new URL(serverUrl);
  scratchUrl.pathname = `/${name}`;
  return {
    url: scratchUrl.href,
    // FORCE: a child process killed mid-run may leave a connection behind for a moment.
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function onServer(serverUrl, sql) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
