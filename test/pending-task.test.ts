import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareTasks, createdTask, noErrors, snapshot, TaskState } from '../src/task/task.js';
import type { AttemptError, JsonValue, Task } from '../src/task/task.js';
import { freshExtra, PendingTask } from '../src/repository/pending-task.js';
import type { PendingExtra } from '../src/repository/pending-task.js';
import { newTask } from '../src/testing/index.js';

/** The base of the records of one repository, as its first task would fix it. */
const timeBase = 1_800_000_000_000;
const fresh = freshExtra(timeBase);
const record = (task: Task, extra: PendingExtra = fresh): PendingTask => new PendingTask(task, extra);

const fields = Object.keys(createdTask(newTask(), 0)) as (keyof Task)[];

/** Times near the base (kept as offsets) and anywhere else (kept exactly). */
const time = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map((d) => timeBase + d), fc.double(), fc.integer());
/** fast-check's JSON type allows undefined inside arrays (it never generates it). */
const json = fc.jsonValue() as fc.Arbitrary<JsonValue>;
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null });
const attemptError: fc.Arbitrary<AttemptError> = fc.record({ name: fc.string(), message: fc.string(), attempt: fc.nat(), at: time });

/** Any scheduled task: fresh ones, and ones a retry, recovery or series gave other fields. */
const scheduledTask: fc.Arbitrary<Task> = fc
  .record({
    created: fc.record({
      id: fc.string(),
      workId: fc.string(),
      param: json,
      scheduledAt: time,
      priority: fc.integer(),
      meta: fc.dictionary(fc.string(), fc.string()),
      createdAt: time,
      seriesId: fc.constant(null),
      retry: fc.constant(null),
      timeout: fc.constant(null),
      deadline: fc.constant(null),
    }),
    seq: fc.nat(),
    change: fc.option(
      fc.record({
        seriesId: maybe(fc.string()),
        retry: maybe(fc.record({ attempts: fc.nat(), backoff: fc.constantFrom('fixed' as const, 'exponential' as const), delay: fc.nat(), maxDelay: fc.nat(), jitter: fc.double({ min: 0, max: 1 }) })),
        timeout: maybe(fc.nat()),
        deadline: maybe(time),
        dispatchedAt: maybe(time),
        // Never set on a scheduled task by the repositories, but the record must not lose them either.
        endedAt: maybe(time),
        result: json,
        error: maybe(fc.record({ name: fc.string(), message: fc.string() })),
        attempt: fc.nat(),
        owner: maybe(fc.string()),
        recovered: fc.boolean(),
        errors: fc.array(attemptError, { maxLength: 3 }).map((errors) => Object.freeze(errors)),
      }),
      { nil: undefined },
    ),
  })
  .map(({ created, seq, change }) => {
    const task = createdTask(created, seq);
    if (change === undefined) return task;
    const { seriesId, retry, timeout, deadline, ...rest } = change;
    // seriesId, retry, timeout and deadline are fixed at creation: give them through createdTask.
    return snapshot(createdTask({ ...created, seriesId, retry, timeout, deadline }, seq), rest);
  });

describe('PendingTask', () => {
  it('gives back every field of the scheduled task it was made from, exactly, as a frozen plain snapshot', () => {
    fc.assert(
      fc.property(scheduledTask, (task) => {
        const kept = record(task);
        const back = kept.toTask();
        expect(Object.isFrozen(back)).toBe(true);
        expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
        expect(Object.keys(back)).toEqual(fields);
        for (const key of fields) {
          expect(Object.is(back[key], task[key]), key).toBe(true);
          expect(Object.is(kept[key], task[key]), key).toBe(true);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('orders records exactly as compareTasks orders the tasks they stand for', () => {
    fc.assert(
      fc.property(scheduledTask, scheduledTask, (a, b) => {
        expect(Object.is(PendingTask.compare(record(a), record(b)), compareTasks(a, b))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
    const at = (scheduledAt: number, priority = 0, seq = 0) => createdTask(newTask({ scheduledAt, priority }), seq);
    const pairs = [
      [at(timeBase + 5), at(timeBase + 7)],
      [at(timeBase + 5), at(5)],
      [at(timeBase, 1), at(timeBase, 2)],
      [at(timeBase, 1, 3), at(timeBase, 1, 2)],
      [at(Number.NaN), at(timeBase)],
    ] as const;
    for (const [a, b] of pairs) {
      expect(Object.is(PendingTask.compare(record(a), record(b)), compareTasks(a, b))).toBe(true);
      expect(Object.is(PendingTask.compare(record(b), record(a)), compareTasks(b, a))).toBe(true);
    }
  });

  it('reads as scheduled, with the shared empty error history of a task that never failed', () => {
    const kept = record(createdTask(newTask({ scheduledAt: timeBase + 5, createdAt: -0.5 }), 7));
    expect(kept.state).toBe(TaskState.Scheduled);
    expect(kept.errors).toBe(noErrors);
    expect(kept.scheduledAt).toBe(timeBase + 5);
    expect(kept.createdAt).toBe(-0.5);
    expect(kept.toTask()).toEqual(createdTask(newTask({ id: kept.id, scheduledAt: timeBase + 5, createdAt: -0.5 }), 7));
  });

  it('keeps each repository\'s base apart: records of two bases, and of none, give back their times', () => {
    const other = freshExtra(0);
    const none = freshExtra(undefined);
    fc.assert(
      fc.property(scheduledTask, (task) => {
        for (const extra of [fresh, other, none]) {
          const kept = record(task, extra);
          expect(Object.is(kept.scheduledAt, task.scheduledAt)).toBe(true);
          expect(Object.is(kept.createdAt, task.createdAt)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
    // A repository's records from before its base was fixed (times that cannot be offsets) order with later ones.
    const early = createdTask(newTask({ scheduledAt: timeBase + 0.5 }), 0);
    const later = createdTask(newTask({ scheduledAt: timeBase }), 1);
    expect(PendingTask.compare(record(early, none), record(later))).toBe(compareTasks(early, later));
    expect(PendingTask.compare(record(later), record(early, none))).toBe(compareTasks(later, early));
  });
});
