import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as dashboard from '../src/dashboard.js';
import * as errors from '../src/errors.js';
import * as root from '../src/index.js';
import * as repository from '../src/repository/index.js';
import * as workerThreads from '../src/worker-threads.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };

/** Helpers for repository writers: what the shipped repositories are built from. */
const forRepositoryWriters = ['appendError', 'compareTasks', 'crashError', 'createdTask', 'flowCancelled', 'matchesQuery', 'planSeriesConflict', 'sameDefinition', 'settleFlow', 'snapshot', 'DueTimer', 'EndingWatches', 'Retention', 'isRetryable', 'refuseRetry', 'retriedChange', 'StatsTally'] as const;

describe('entry points', () => {
  it('the root is for users: no helpers for repository writers', () => {
    expect(forRepositoryWriters.filter((name) => name in root)).toEqual([]);
    for (const name of ['Scheduler', 'HeapRepository', 'WorkerPoolDispatcher', 'WorkRegistry', 'composeHooks', 'Recovery', 'SystemClock', 'TaskState', 'schedulerEventNames']) expect(name in root, name).toBe(true);
  });

  it('every error class is exported: from the root, or from the entry whose code raises it', () => {
    // The dashboard's HTTP errors and the worker-thread module error belong to their own entries.
    const elsewhere = new Map<string, unknown>([...Object.entries(dashboard), ...Object.entries(workerThreads)]);
    const classes = Object.entries(errors).filter(([, value]) => typeof value === 'function' && (value === errors.KokugenError || value.prototype instanceof errors.KokugenError));
    expect(classes.length).toBeGreaterThan(20);
    expect(classes.filter(([name, value]) => (root as Record<string, unknown>)[name] !== value && elsewhere.get(name) !== value).map(([name]) => name)).toEqual([]);
  });

  it('kokugen/repository has them', () => {
    expect(Object.keys(repository).sort()).toEqual([...forRepositoryWriters].sort());
  });

  it('package.json exports each entry with its types first', () => {
    expect(Object.keys(pkg.exports)).toEqual(['.', './testing', './typeorm', './repository', './worker-threads', './opentelemetry', './dashboard', './package.json']);
    expect(pkg.exports['./repository']).toEqual({ types: './dist/repository/index.d.ts', default: './dist/repository/index.js' });
    for (const [key, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'object' && target !== null) expect(Object.keys(target)[0], key).toBe('types');
    }
  });
});
