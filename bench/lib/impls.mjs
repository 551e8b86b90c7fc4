// One adapter per implementation under test, each written the way a user of that library would
// write it. Every adapter schedules "task i at epoch ms dues[i]" and calls `record(i, at)` at the
// start of an async no-op work function.
//
// Adapter: {
//   start(): void | Promise<void>            begin running due work
//   add(dues, handles): void | Promise<void> schedule task i at dues[i]; handles[i] = its cancel handle
//   cancel(handles, from, to, step): number | Promise<number>   how many were cancelled
//   idle(): Promise<void>                    resolves once no work is running
//   stop(): void | Promise<void>             stop; a stopped process must be able to exit
// }
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IdealApiScheduler } from '../ideal-api.mjs';
import { IdealScheduler } from '../ideal.mjs';

/** The built kit under test: dist/, or another build (e.g. a candidate optimisation) named by KOKUGEN_DIST. */
export const distUrl = process.env.KOKUGEN_DIST ? pathToFileURL(`${resolve(process.env.KOKUGEN_DIST)}/`) : new URL('../../dist/', import.meta.url);

/**
 * @param {string} name
 * @param {{ record: (i: number, at: number) => void, concurrency?: number, clock?: object }} options
 */
export async function createImpl(name, { record, concurrency = 64, clock }) {
  switch (name) {
    case 'ideal':
      return ideal(record, concurrency);
    case 'ideal-api':
      return idealApi(record, concurrency);
    case 'kit':
      return kit(record, concurrency, clock, false);
    case 'kit-many':
      return kit(record, concurrency, clock, true);
    case 'timeout':
      return timeout(record);
    case 'node-schedule':
      return nodeSchedule(record);
    case 'croner':
      return croner(record);
    default:
      throw new Error(`unknown implementation ${JSON.stringify(name)}`);
  }
}

function ideal(record, concurrency) {
  const scheduler = new IdealScheduler({ work: async (i, at) => record(i, at), concurrency });
  return {
    start: () => scheduler.start(),
    add(dues, handles) {
      for (let i = 0; i < dues.length; i++) handles[i] = scheduler.add(dues[i], i);
    },
    cancel(handles, from, to, step) {
      let cancelled = 0;
      for (let i = from; i < to; i += step) if (scheduler.cancel(handles[i])) cancelled++;
      return cancelled;
    },
    idle: () => scheduler.idle(),
    stop: () => scheduler.stop(),
  };
}

/** Cancels handles[from], handles[from + step], ... one awaited call at a time, as a user of an async API would. */
async function cancelEach(handles, from, to, step, cancel) {
  let cancelled = 0;
  for (let i = from; i < to; i += step) if (await cancel(handles[i])) cancelled++;
  return cancelled;
}

/** The ideal behind kokugen's API shape (bench/ideal-api.mjs), used as the kit is used below. */
function idealApi(record, concurrency) {
  const scheduler = new IdealApiScheduler({ work: async (i, at) => record(i, at), concurrency });
  return {
    start: () => scheduler.start(),
    async add(dues, handles) {
      for (let i = 0; i < dues.length; i++) handles[i] = (await scheduler.schedule({ at: dues[i], param: i })).id;
    },
    cancel: (handles, from, to, step) => cancelEach(handles, from, to, step, (id) => scheduler.cancel(id)),
    idle: () => scheduler.idle(),
    stop: () => scheduler.stop(),
  };
}

/** The full kit: Scheduler + HeapRepository + WorkerPoolDispatcher, on the system clock unless one is given. */
async function kit(record, concurrency, clock, many) {
  const { Scheduler, HeapRepository, WorkerPoolDispatcher, WorkRegistry, SystemClock } = await import(new URL('index.js', distUrl).href);
  const works = new WorkRegistry().register('noop', async (i, { task }) => record(i, task.scheduledAt));
  const scheduler = new Scheduler({
    repository: new HeapRepository(),
    dispatcher: new WorkerPoolDispatcher({ works, concurrency }),
    clock: clock ?? new SystemClock(),
  });
  return {
    scheduler,
    start: () => scheduler.start(),
    add: many ? addMany : addOneByOne,
    cancel: (handles, from, to, step) => cancelEach(handles, from, to, step, (id) => scheduler.cancel(id)),
    idle: () => scheduler.idle(),
    stop: () => scheduler.stop(),
  };

  async function addOneByOne(dues, handles) {
    for (let i = 0; i < dues.length; i++) handles[i] = (await scheduler.schedule({ workId: 'noop', at: dues[i], param: i })).id;
  }

  async function addMany(dues, handles) {
    const batch = 1_000;
    for (let from = 0; from < dues.length; from += batch) {
      const inputs = [];
      const to = Math.min(dues.length, from + batch);
      for (let i = from; i < to; i++) inputs.push({ workId: 'noop', at: dues[i], param: i });
      const tasks = await scheduler.scheduleMany(inputs);
      for (let k = 0; k < tasks.length; k++) handles[from + k] = tasks[k].id;
    }
  }
}

/** Plain setTimeout per task: no concurrency limit, no ordering beyond Node's timer lists. */
function timeout(record) {
  const run = async (i, at) => record(i, at);
  let all = [];
  return {
    start() {},
    add(dues, handles) {
      all = handles;
      for (let i = 0; i < dues.length; i++) handles[i] = setTimeout(run, dues[i] - Date.now(), i, dues[i]);
    },
    cancel(handles, from, to, step) {
      let cancelled = 0;
      for (let i = from; i < to; i += step) {
        clearTimeout(handles[i]);
        handles[i] = null;
        cancelled++;
      }
      return cancelled;
    },
    idle: () => Promise.resolve(),
    stop() {
      for (const handle of all) if (handle !== null) clearTimeout(handle);
    },
  };
}

/** node-schedule: `scheduleJob(date, fn)`; it returns null (and drops the job) for a date already past. */
async function nodeSchedule(record) {
  const { default: schedule } = await import('node-schedule');
  return {
    start() {},
    add(dues, handles) {
      for (let i = 0; i < dues.length; i++) {
        const at = dues[i];
        handles[i] = schedule.scheduleJob(new Date(at), async () => record(i, at));
      }
    },
    cancel(handles, from, to, step) {
      let cancelled = 0;
      for (let i = from; i < to; i += step) if (handles[i]?.cancel()) cancelled++;
      return cancelled;
    },
    idle: () => Promise.resolve(),
    stop: () => schedule.gracefulShutdown(),
  };
}

/** croner: `new Cron(date, fn)` runs once at the date; a date already past never runs. */
async function croner(record) {
  const { Cron } = await import('croner');
  let all = [];
  return {
    start() {},
    add(dues, handles) {
      all = handles;
      for (let i = 0; i < dues.length; i++) {
        const at = dues[i];
        handles[i] = new Cron(new Date(at), async () => record(i, at));
      }
    },
    cancel(handles, from, to, step) {
      let cancelled = 0;
      for (let i = from; i < to; i += step) {
        handles[i].stop();
        cancelled++;
      }
      return cancelled;
    },
    idle: () => Promise.resolve(),
    stop() {
      for (const job of all) job?.stop();
    },
  };
}
