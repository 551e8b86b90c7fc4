// W6's two systems behind one small shape, each written the way its docs tell a user to write it.
// The coordinator (bench/cases/w6-processes.mjs) prepares a store and adds tasks through
// `producer()`; each worker process (w6-processes.worker.mjs) runs them through `worker()`.
//
//   prepare(args)         -> { store, drop() }   a fresh store (database or SQLite file), migrated
//   producer(store)       -> { addMany(params), addOne(param), close() }   tasks due now
//   worker(store, opts)   -> { start(), ended, stop() }  runs work `noop`, calling opts.onRun(param);
//                            ended: how many tasks it has ended
//   pendingWatcher(store) -> { count(), close() } | undefined   tasks still in the store, for a
//                            system whose workers count a task before its outcome is committed
//
// kokugen: Scheduler + TypeOrmRepository from the build under test (KOKUGEN_DIST), public API only.
// graphile-worker: tuned as its performance page recommends (localQueue 500, completion batching
// with delay 0, a pool of concurrency + 1), addJobs for bulk adds, LISTEN/NOTIFY as shipped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distUrl } from './impls.mjs';
import { scratchDatabase } from './pg-scratch.mjs';

export const systems = { kokugen: kokugenSystem(), graphile: graphileSystem() };

function kokugenSystem() {
  const load = async () => {
    const { Scheduler, WorkerPoolDispatcher, WorkRegistry } = await import(new URL('index.js', distUrl).href);
    const { TypeOrmRepository } = await import(new URL('typeorm.js', distUrl).href);
    return { Scheduler, WorkerPoolDispatcher, WorkRegistry, TypeOrmRepository };
  };
  /** The store's open() options; pollInterval left at its default (1,000 ms). */
  const openOptions = (store) => (store.db === 'sqlite' ? { type: 'sqlite', database: store.file } : { type: 'postgres', url: store.url });
  /**
   * A worker's repository claims ahead as graphile-worker's local queue does (500), on builds that
   * have the option (issue 10); an older build (a --baseline) refuses the key and opens without it.
   */
  const openWorker = async (TypeOrmRepository, store) => {
    try {
      return await TypeOrmRepository.open({ ...openOptions(store), claimAhead: 500 });
    } catch (error) {
      if (error?.code !== 'ERR_INVALID_ARGUMENT' || !String(error.message).includes('claimAhead')) throw error;
      return TypeOrmRepository.open(openOptions(store));
    }
  };
  return {
    async prepare({ db, url }) {
      let store;
      let drop;
      if (db === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'kokugen-bench-w6-'));
        store = { db, file: join(dir, 'tasks.sqlite') };
        drop = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const scratch = await scratchDatabase(url, 'kokugen_bench_w6');
        store = { db, url: scratch.url };
        drop = scratch.drop;
      }
      const { TypeOrmRepository } = await load();
      await (await TypeOrmRepository.open(openOptions(store))).close(); // runs the migrations
      return { store, drop };
    },
    async producer(store) {
      const { Scheduler, TypeOrmRepository } = await load();
      const repository = await TypeOrmRepository.open(openOptions(store));
      // Producer-only: no dispatcher, never started.
      const scheduler = new Scheduler({ repository, owner: `w6-producer-${process.pid}` });
      return {
        addMany: (params) => {
          const at = Date.now();
          return scheduler.scheduleMany(params.map((param) => ({ workId: 'noop', at, param })));
        },
        addOne: (param) => scheduler.schedule({ workId: 'noop', delay: 0, param }),
        close: () => repository.close(),
      };
    },
    async worker(store, { concurrency, owner, onRun }) {
      const { Scheduler, WorkerPoolDispatcher, WorkRegistry, TypeOrmRepository } = await load();
      const repository = await openWorker(TypeOrmRepository, store);
      const works = new WorkRegistry().register('noop', async (param) => onRun(param));
      const scheduler = new Scheduler({ repository, dispatcher: new WorkerPoolDispatcher({ works, concurrency }), owner });
      let ended = 0;
      scheduler.on('task:done', () => ended++);
      return {
        start: () => scheduler.start(),
        /** Tasks whose outcome is committed (task:done fires after the commit). */
        get ended() {
          return ended;
        },
        async stop() {
          await scheduler.stop();
          await repository.close();
        },
      };
    },
    /** None: a worker counts a task once its outcome is committed. */
    pendingWatcher: async () => undefined,
  };
}

function graphileSystem() {
  const load = () => import('graphile-worker');
  const quiet = async () => {
    const { Logger } = await load();
    return new Logger(() => () => {});
  };
  return {
    async prepare({ url }) {
      const scratch = await scratchDatabase(url, 'graphile_bench_w6');
      const { makeWorkerUtils } = await load();
      const utils = await makeWorkerUtils({ connectionString: scratch.url, logger: await quiet() });
      await utils.migrate();
      await utils.release();
      return { store: { url: scratch.url }, drop: scratch.drop };
    },
    async producer(store) {
      const { makeWorkerUtils } = await load();
      const utils = await makeWorkerUtils({ connectionString: store.url, logger: await quiet() });
      return {
        addMany: (params) => utils.addJobs(params.map((payload) => ({ identifier: 'noop', payload }))),
        addOne: (payload) => utils.addJob('noop', payload),
        close: () => utils.release(),
      };
    },
    async worker(store, { concurrency, onRun }) {
      const { run } = await load();
      const logger = await quiet();
      let runner;
      let ended = 0;
      return {
        async start() {
          runner = await run({
            noHandleSignals: true,
            logger,
            taskList: { noop: async (payload) => onRun(payload) },
            preset: {
              worker: {
                connectionString: store.url,
                concurrentJobs: concurrency,
                maxPoolSize: concurrency + 1,
                localQueue: { size: 500 },
                completeJobBatchDelay: 0,
                failJobBatchDelay: 0,
              },
            },
          });
          runner.events.on('job:success', () => ended++);
        },
        /** Tasks whose function returned (their deletion is batched: see pendingWatcher()). */
        get ended() {
          return ended;
        },
        async stop() {
          await runner?.stop();
        },
      };
    },
    /** Counts the jobs still in the table: ended jobs are deleted, in batches after their function returns. */
    async pendingWatcher(store) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: store.url });
      await client.connect();
      return {
        count: async () => (await client.query('SELECT count(*)::int AS n FROM graphile_worker.jobs')).rows[0].n,
        close: () => client.end(),
      };
    },
  };
}
