import { describe, expect, expectTypeOf, it } from 'vitest';
import { HeapRepository, Scheduler, WorkerPoolDispatcher, WorkRegistry } from '../../src/index.js';
import type { JsonValue, Task, TaskId, TypedTask, WorksOf } from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { track } from '../setup/leak-guard.js';

/*
 * Compile-time tests: `tsc -p tsconfig.json` (the first step of `npm test`) type-checks this file,
 * and each `@ts-expect-error` line fails the build if it stops being an error. The tests also run.
 */

interface Works {
  email: { param: { to: string }; result: string };
  ping: { result: number };
  cleanup: { param: { days: number } | null; result: null };
}

function typedKit(): { scheduler: Scheduler<Works>; clock: FakeClock } {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const works = new WorkRegistry()
    .register('email', ({ to }: { to: string }) => `sent to ${to}`)
    .register('ping', () => 42)
    .register('cleanup', () => null);
  const scheduler = new Scheduler<Works>({ repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works }), clock });
  track(scheduler as unknown as Scheduler);
  return { scheduler, clock };
}

describe('typed works', () => {
  it('schedule() checks the param of each work id, and wait() gives the typed result', async () => {
    const { scheduler, clock } = typedKit();
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'email', param: { to: 'a@example.com' }, delay: 0 });
    expectTypeOf(task.param).toEqualTypeOf<{ to: string }>();
    expectTypeOf(task.id).toEqualTypeOf<TaskId<Works['email']>>();
    const ping = await scheduler.schedule({ workId: 'ping', delay: 0 });
    const cleanup = await scheduler.schedule({ workId: 'cleanup', delay: 0 });
    await clock.tick();
    const ended = await scheduler.wait(task.id);
    expectTypeOf(ended.result).toEqualTypeOf<string | null>();
    expect(ended.result).toBe('sent to a@example.com');
    const pong = await scheduler.wait(ping.id);
    expectTypeOf(pong.result).toEqualTypeOf<number | null>();
    expect(pong.result).toBe(42);
    expect((await scheduler.wait(cleanup.id)).result).toBeNull();
    // A plain string id gives the untyped task.
    expectTypeOf(await scheduler.wait(task.id as string)).toEqualTypeOf<Task>();
    await scheduler.stop();
  });

  it('refuses at compile time what the map does not allow', async () => {
    const { scheduler } = typedKit();
    const refused = async (): Promise<unknown[]> => [
      // @ts-expect-error a misspelt param field
      await scheduler.schedule({ workId: 'email', param: { nmae: 42 }, delay: 0 }),
      // @ts-expect-error a param of the wrong type
      await scheduler.schedule({ workId: 'email', param: { to: 42 }, delay: 0 }),
      // @ts-expect-error the param is required when its type admits no null
      await scheduler.schedule({ workId: 'email', delay: 0 }),
      // @ts-expect-error a work id not in the map
      await scheduler.schedule({ workId: 'emial', delay: 0 }),
      // @ts-expect-error a callback step is checked too
      await scheduler.schedule({ workId: 'ping', delay: 0, onSuccess: { workId: 'email', param: { to: 1 } } }),
      // @ts-expect-error chain steps are checked
      await scheduler.chain([{ workId: 'email', param: {} }]),
      // @ts-expect-error scheduleMany inputs are checked
      await scheduler.scheduleMany([{ workId: 'cleanup', param: { days: 'seven' }, delay: 0 }]),
    ];
    // Never called: the lines above are for the compiler.
    expect(typeof refused).toBe('function');
    // What is allowed: a nullable param may be left out or given.
    const allowed = async (): Promise<unknown[]> => [
      await scheduler.schedule({ workId: 'cleanup', delay: 0 }),
      await scheduler.schedule({ workId: 'cleanup', param: { days: 7 }, delay: 0 }),
      await scheduler.group([{ workId: 'ping' }, { workId: 'email', param: { to: 'b@example.com' } }]),
    ];
    expect(typeof allowed).toBe('function');
  });

  it('WorksOf reads the types from the registry', () => {
    const works = new WorkRegistry().register('resize', (param: { width: number }) => ({ url: `w${param.width}` }));
    type Registered = WorksOf<typeof works>;
    expectTypeOf<Registered['resize']['param']>().toEqualTypeOf<{ width: number }>();
    expectTypeOf<Registered['resize']['result']>().toEqualTypeOf<{ url: string }>();
    const scheduler = new Scheduler<Registered>({ repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works }) });
    const check = async (): Promise<TypedTask<Registered['resize']>> => {
      // @ts-expect-error width is a number
      await scheduler.schedule({ workId: 'resize', param: { width: '10' }, delay: 0 });
      const task = await scheduler.schedule({ workId: 'resize', param: { width: 10 }, delay: 0 });
      return scheduler.wait(task.id);
    };
    expect(typeof check).toBe('function');
  });

  it('an untyped scheduler takes any work id and param, as before', () => {
    const scheduler = new Scheduler({ repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works: new WorkRegistry().register('any', () => null) }) });
    const check = async (): Promise<JsonValue> => {
      const task = await scheduler.schedule({ workId: 'any', param: { nmae: 42 }, delay: 0 });
      expectTypeOf(task).toEqualTypeOf<Task>();
      return (await scheduler.wait(task.id)).result;
    };
    expect(typeof check).toBe('function');
  });

  it('listeners may return anything', async () => {
    const { scheduler, clock } = typedKit();
    const seen = new Set<string>();
    scheduler.on('task:done', ({ task }) => seen.add(task.id));
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'ping', delay: 0 });
    await clock.tick();
    expect(seen.has(task.id)).toBe(true);
    await scheduler.stop();
  });
});
