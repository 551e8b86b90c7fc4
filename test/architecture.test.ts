import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

/** The modules `file` imports, as paths relative to src/ (without the .js/.ts ending). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(src, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\b[^'"]*from\s+'(\.[^']+)'/gm)) {
    found.push(relative(src, resolve(dirname(join(src, file)), match[1] as string)).replace(/\.js$/, ''));
  }
  return found;
}

/** The contracts: small interfaces the Scheduler is given. They sit below every implementation. */
const contracts = ['dispatcher/dispatcher.ts', 'repository/task-repository.ts', 'clock/clock.ts', 'hooks/loop-hooks.ts'];
/** What a contract may import: the data model, schedules, errors, and other contracts. */
const below = /^(task\/|schedule\/|errors$)/;

describe('dependencies point down', () => {
  for (const contract of contracts) {
    it(`${contract} imports no implementation`, () => {
      const allowed = new Set(contracts.map((c) => c.replace(/\.ts$/, '')));
      const offending = importsOf(contract).filter((path) => !below.test(path) && !allowed.has(path));
      expect(offending).toEqual([]);
    });
  }

  it('the root entry loads no optional adapter and no testing code', () => {
    const reached = new Set<string>();
    const visit = (path: string): void => {
      if (reached.has(path)) return;
      reached.add(path);
      for (const next of importsOf(`${path}.ts`)) visit(next);
    };
    visit('index');
    expect([...reached].filter((path) => path.startsWith('repository/typeorm') || path.startsWith('testing/') || path.startsWith('metrics/'))).toEqual([]);
  });

  it('every file of src/ is reached from some public entry', () => {
    // thread-entry runs in a worker thread: it is loaded by URL, not imported.
    const entries = ['index', 'testing/index', 'typeorm', 'repository/index', 'worker-threads', 'opentelemetry', 'dashboard', 'dispatcher/worker-thread/thread-entry', 'cli/demo', 'bin/kokugen'];
    const reached = new Set<string>();
    const visit = (path: string): void => {
      if (reached.has(path)) return;
      reached.add(path);
      for (const next of importsOf(`${path}.ts`)) visit(next);
    };
    for (const entry of entries) visit(entry);
    const all = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\\/g, '/').replace(/\.ts$/, ''));
    expect(all.filter((f) => !reached.has(f))).toEqual([]);
  });
});
