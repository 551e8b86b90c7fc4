import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, TaskState, WorkerPoolDispatcher, WorkRegistry } from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import type { TypeOrmRepository } from '../../src/typeorm.js';
import { T0 } from '../helpers.js';
import { track } from '../setup/leak-guard.js';
import { createStore, describePostgres, openOn } from './stores.js';
import type { StoreKind } from './stores.js';

/**
 * The operations surface on a real store, as the CLI uses it: a producer-only Scheduler on one
 * repository, a running Scheduler on another repository of the same store.
 */
function operationsSuite(kind: StoreKind): void {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a producer-only scheduler counts, retries and runs tasks that another scheduler executes', async () => {
    const { location, drop } = await createStore(kind);
    cleanups.push(drop);
    const open = async (): Promise<TypeOrmRepository> => {
      const repository = await openOn(kind, location, { pollInterval: 100 });
      cleanups.push(() => repository.close());
      return repository;
    };
    const clock = new FakeClock(T0);
    const admin = new Scheduler({ repository: await open(), clock });
    let healthy = false;
    const works = new WorkRegistry().register('mail', () => {
      if (!healthy) throw new Error('smtp down');
      return 'sent';
    });
    const worker = track(new Scheduler({ repository: await open(), dispatcher: new WorkerPoolDispatcher({ works }), clock, logger: false }));

    await admin.schedule({ id: 'm1', workId: 'mail', delay: 0 });
    await admin.schedule({ id: 'm2', workId: 'mail', delay: 3_600_000 });
    expect(await admin.stats()).toMatchObject({ byState: { scheduled: 2, failed: 0 }, byWork: { mail: { scheduled: 2 } }, oldestDueAt: T0, running: 0 });

    await worker.start();
    expect((await worker.wait('m1')).state).toBe(TaskState.Failed);
    expect((await admin.stats()).byState).toMatchObject({ scheduled: 1, failed: 1 });

    healthy = true;
    expect(await admin.retry('m1')).toMatchObject({ state: TaskState.Scheduled, attempt: 1, errors: [{ message: 'smtp down' }] });
    await admin.runNow('m2');
    await clock.advance(100);
    expect(await worker.wait('m1')).toMatchObject({ state: TaskState.Done, result: 'sent', attempt: 2 });
    expect(await worker.wait('m2')).toMatchObject({ state: TaskState.Done, scheduledAt: T0 });
    expect((await admin.stats()).byState).toMatchObject({ scheduled: 0, done: 2, failed: 0 });
    await worker.stop();
  });
}

describe('operations on a SQLite file', () => operationsSuite('sqlite'));
describePostgres('operations on PostgreSQL', () => operationsSuite('postgres'));
