import { describe, it } from 'vitest';
import { crashRun } from './crash-harness.js';

describe('kill -9 on SQLite (real processes, real time)', () => {
  it('every task ends exactly once, none is lost, only recovered tasks re-run, and the file stays intact', () => crashRun('sqlite', ['solo']), 90_000);
});
