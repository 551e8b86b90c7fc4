// The ideal reference behind kokugen's API shape: the same heap and timer as ideal.mjs, reached the
// way kokugen is reached — an awaited call per task, a UUID-length string id, a Map from id to
// task, and a frozen snapshot of the task's 21 fields for each change (scheduled, cancelled,
// ended), as `schedule()`, `cancel()` and `wait()` return. No validation, no repository contract,
// no dispatcher, no events. It is not a target: it shows how much of the distance between the kit
// and the ideal the API shape alone costs, so the rest is what the kit's machinery costs.
import { IdealScheduler } from './ideal.mjs';

export class IdealApiScheduler {
  /** id -> heap entry (whose param is the task's current snapshot) of pending tasks. */
  #tasks = new Map();
  #ideal;
  #next = 0;

  /** @param {{ work: (param: unknown, at: number) => Promise<unknown>, concurrency?: number }} options */
  constructor({ work, concurrency = Infinity }) {
    this.#ideal = new IdealScheduler({
      concurrency,
      work: async (task, at) => {
        const result = await work(task.param, at);
        this.#tasks.delete(task.id);
        return Object.freeze(ended(task, 'done', result));
      },
    });
  }

  /** Resolves with the scheduled task's snapshot. */
  async schedule({ at, param }) {
    const id = newId(this.#next++);
    const task = Object.freeze(created(id, param, at, Date.now(), this.#next));
    this.#tasks.set(id, this.#ideal.add(at, task));
    return task;
  }

  /** Resolves true if the task was pending and is now cancelled. */
  async cancel(id) {
    const found = this.#tasks.get(id);
    if (found === undefined) return false;
    this.#ideal.cancel(found);
    this.#tasks.delete(id);
    Object.freeze(ended(found.param, 'cancelled', null));
    return true;
  }

  start() {
    this.#ideal.start();
  }

  stop() {
    this.#ideal.stop();
  }

  idle() {
    return this.#ideal.idle();
  }
}

/** 36 characters like the kit's UUIDs, as one flat string (a template literal would leave a rope of several). */
const idText = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1');
function newId(n) {
  for (let i = 35, rest = n; i >= 24; i--, rest = Math.floor(rest / 16)) idText[i] = '0123456789abcdef'.charCodeAt(rest % 16);
  return idText.toString('latin1');
}

function created(id, param, at, now, seq) {
  return {
    id,
    workId: 'noop',
    param,
    scheduledAt: at,
    priority: 0,
    seq,
    meta: emptyMeta,
    state: 'scheduled',
    createdAt: now,
    dispatchedAt: null,
    endedAt: null,
    result: null,
    error: null,
    attempt: 0,
    owner: null,
    recovered: false,
    seriesId: null,
    retry: null,
    timeout: null,
    deadline: null,
    errors: noErrors,
  };
}

function ended(task, state, result) {
  const next = created(task.id, task.param, task.scheduledAt, task.createdAt, task.seq);
  next.state = state;
  next.endedAt = Date.now();
  next.result = result;
  return next;
}

const emptyMeta = Object.freeze({});
const noErrors = Object.freeze([]);
