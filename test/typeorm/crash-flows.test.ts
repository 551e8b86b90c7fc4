import { describe, it } from 'vitest';
import { crashRun } from './crash-harness.js';
import { flowScenario } from './crash-flows.js';

describe('kill -9 over chains and chords (real processes, real time)', () => {
  it('SQLite: every step runs, none before its parents are done, every chord callback after its members', () => crashRun('sqlite', ['solo'], flowScenario), 90_000);
  it('PostgreSQL, two processes: the same, with members of one chord ending in different processes', () => crashRun('postgres', ['p1', 'p2'], flowScenario), 90_000);
});
