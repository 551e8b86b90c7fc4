import { describe, expect, it } from 'vitest';
import { displayLocation } from '../../src/bin/commands/store-commands.js';
import { parseDuration, parseInteger, parseIsoTime, parseStoreLocation } from '../../src/bin/flags.js';
import { duration, iso, table } from '../../src/bin/format.js';

/** The flag parsers' values (their refusals are tested end to end in cli-flags.test.ts). */
describe('CLI flag values', () => {
  it('reads ISO 8601 times with Z, an offset, or a bare date', () => {
    expect(parseIsoTime('--at', '2030-01-02T03:04:05Z')).toBe(Date.UTC(2030, 0, 2, 3, 4, 5));
    expect(parseIsoTime('--at', '2030-01-02T03:04:05.250Z')).toBe(Date.UTC(2030, 0, 2, 3, 4, 5, 250));
    expect(parseIsoTime('--at', '2030-01-02T04:04+01:00')).toBe(Date.UTC(2030, 0, 2, 3, 4));
    expect(parseIsoTime('--at', '2028-02-29')).toBe(Date.UTC(2028, 1, 29));
    for (const bad of ['2030-02-29', '2030-13-01', '2030-01-02T24:00:00Z', '2030-01-02 03:04:05Z', '1700000000000']) {
      expect(() => parseIsoTime('--at', bad), bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });

  it('reads durations with units, and bare ms only where asked', () => {
    expect(parseDuration('--older-than', '1h30m')).toBe(5_400_000);
    expect(parseDuration('--older-than', '2w')).toBe(14 * 86_400_000);
    expect(parseDuration('--older-than', '250ms')).toBe(250);
    expect(parseDuration('--delay', '5000', true)).toBe(5000);
    for (const bad of ['7', '', '1.5h', '-1d', 'h', '1d ']) expect(() => parseDuration('--older-than', bad), bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => parseDuration('--delay', '99999999999999999d', true)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('reads integers in range only', () => {
    expect(parseInteger('--limit', '42', 1, 100)).toBe(42);
    for (const bad of ['0', '101', '1e2', '0x10', ' 5', '']) expect(() => parseInteger('--limit', bad, 1, 100), bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('tells SQLite files from PostgreSQL URLs, and masks passwords when showing them', () => {
    expect(parseStoreLocation('tasks.sqlite')).toEqual({ type: 'sqlite', database: 'tasks.sqlite' });
    const pg = parseStoreLocation('postgresql://app:hunter2@db:5432/app');
    expect(pg).toEqual({ type: 'postgres', url: 'postgresql://app:hunter2@db:5432/app' });
    expect(displayLocation(pg)).toBe('postgresql://app:***@db:5432/app');
  });

  it('formats aligned tables without trailing spaces, and ISO times', () => {
    expect(table(['ID', 'STATE'], [['a', 'done'], ['long-id', '-']])).toBe('ID       STATE\na        done\nlong-id  -\n');
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(iso(null)).toBe('-');
    expect(duration(0)).toBe('0s');
    expect(duration(90_500)).toBe('1m30s');
    expect(duration(2 * 86_400_000 + 3 * 3_600_000 + 59_000)).toBe('2d3h');
  });
});
