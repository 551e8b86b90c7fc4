/**
 * The driver adapters reach below their drivers' public APIs, so each names the versions it was
 * checked against: a new minor version of a driver, or of TypeORM, must be checked again (and
 * this test then updated with it). Each line checks the adapters it runs.
 */
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { checkedWith as betterSqlite3Checked } from '../../src/repository/typeorm/better-sqlite3-driver.js';
import { checkedWith as sqlite3Checked } from '../../src/repository/typeorm/sqlite3-driver.js';
import { typeormLine } from './line.js';

const require = createRequire(import.meta.url);
const majorMinor = (version: string): string => version.split('.').slice(0, 2).join('.');
/** The project's own install of a driver (both lines load the drivers from there). */
const installed = (name: string): string => majorMinor((require(`${name}/package.json`) as { version: string }).version);

async function loadedTypeorm(): Promise<string> {
  const specifier = 'typeorm/package.json';
  return majorMinor(((await import(specifier, { with: { type: 'json' } })) as { default: { version: string } }).default.version);
}

it('the better-sqlite3 adapter was checked against the installed better-sqlite3 and this TypeORM', async () => {
  expect(installed('better-sqlite3')).toBe(betterSqlite3Checked['better-sqlite3']);
  expect(betterSqlite3Checked.typeorm).toContain(await loadedTypeorm());
});

// TypeORM 1.x has no node-sqlite3 driver: that line has no sqlite3 adapter to check.
if (typeormLine === '0.3') {
  it('the sqlite3 adapter was checked against the installed sqlite3 and TypeORM 0.3', async () => {
    expect({ sqlite3: installed('sqlite3'), typeorm: await loadedTypeorm() }).toEqual(sqlite3Checked);
  });
}
