import { it } from 'vitest';
import { crashRun } from './crash-harness.js';
import { describePostgres } from './stores.js';

describePostgres('kill -9 on PostgreSQL (real processes, real time)', () => {
  it('two processes share the store: every task ends exactly once, none is lost, only recovered tasks re-run', () => crashRun('postgres', ['a', 'b']), 90_000);
});
