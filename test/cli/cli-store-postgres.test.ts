import { expect, it } from 'vitest';
import { createStore, describePostgres } from '../typeorm/stores.js';
import { kokugen } from './run-cli.js';
import { slow, storeSuite } from './store-suite.js';

describePostgres('kokugen on PostgreSQL', () => {
  storeSuite('postgres');

  it('takes the store from DATABASE_URL', slow, async () => {
    const { location, drop } = await createStore('postgres');
    try {
      const result = await kokugen(['migrate', '--json'], { DATABASE_URL: location });
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ migrated: true });
    } finally {
      await drop();
    }
  });
});
