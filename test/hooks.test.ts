import { describe, expect, it } from 'vitest';
import { composeHooks, HeapRepository, Recovery, TaskState } from '../src/index.js';
import type { LoopHooks, Task, TaskRepository } from '../src/index.js';
import { HookRunner } from '../src/hooks/hook-runner.js';
import { FakeClock } from '../src/testing/index.js';
import { codeOf, kit } from './helpers.js';

/** A hook set as a library would ship it: a class, its hooks on the prototype. */
class Metrics implements LoopHooks {
  dispatched = 0;
  ended = 0;
  onDispatch(): void {
    this.dispatched++;
  }
  onTaskEnded(): void {
    this.ended++;
  }
}

/** Hooks inherited two levels down. */
class AuditedMetrics extends Metrics {
  started = 0;
  onStart(): void {
    this.started++;
  }
}

/** A HeapRepository whose next `outages` claims fail. */
class FlakyRepository extends HeapRepository {
  outages = 0;
  override claimDue(now: number, limit: number, owner: string, workLimits?: ReadonlyMap<string, number>, works?: ReadonlySet<string>): Promise<Task[]> {
    if (this.outages > 0) {
      this.outages--;
      return Promise.reject(new Error('store down'));
    }
    return super.claimDue(now, limit, owner, workLimits, works);
  }
}

async function runTwo(hooks: LoopHooks | readonly LoopHooks[]): Promise<void> {
  const { scheduler, clock } = kit({ hooks });
  await scheduler.start();
  for (let i = 0; i < 2; i++) {
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    await scheduler.wait(task.id);
  }
  await scheduler.stop();
}

describe('hook sets', () => {
  it('a class instance given as hooks runs its prototype methods', async () => {
    const metrics = new Metrics();
    await runTwo(metrics);
    expect([metrics.dispatched, metrics.ended]).toEqual([2, 2]);
  });

  it('a class instance in a hooks array runs its prototype methods', async () => {
    const metrics = new Metrics();
    await runTwo([metrics]);
    expect([metrics.dispatched, metrics.ended]).toEqual([2, 2]);
  });

  it('hooks inherited from a base class run, with the set as this', async () => {
    const metrics = new AuditedMetrics();
    await runTwo([{}, metrics]);
    expect([metrics.started, metrics.dispatched, metrics.ended]).toEqual([1, 2, 2]);
  });

  it('HookRunner.has sees own and inherited hooks, and only hooks that are functions', () => {
    const runner = new HookRunner([new AuditedMetrics(), { onStop: undefined } as unknown as LoopHooks], new FakeClock(), 1_000, () => undefined);
    expect(['onStart', 'onDispatch', 'onTaskEnded', 'onStop', 'onGetNext', 'onUpdate'].map((name) => runner.has(name as 'onStart'))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('refuses a hook name bound to something other than a function, naming the key', async () => {
    const bad = { onTaskEnded: 'log' } as unknown as LoopHooks;
    expect(() => new HookRunner([bad], new FakeClock(), 1_000, () => undefined)).toThrow(/hooks\.onTaskEnded/);
    expect(await codeOf(() => kit({ hooks: bad }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => kit({ hooks: [{}, bad] }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => composeHooks({}, bad))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => composeHooks(null as unknown as LoopHooks))).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('composeHooks and the hooks array are one thing', () => {
  /** Three sets that fail in every way a set can; the calls they saw and what the loop reported. */
  async function scenario(compose: (sets: LoopHooks[]) => LoopHooks | readonly LoopHooks[]): Promise<{ calls: string[]; reports: string[]; state: string }> {
    const calls: string[] = [];
    const sets: LoopHooks[] = [
      {
        onDispatch: () => {
          calls.push('a:dispatch');
          throw new Error('a fails');
        },
        onGetNextError: () => {
          calls.push('a:decide');
          throw new Error('a cannot decide');
        },
      },
      {
        onDispatch: () => {
          calls.push('b:dispatch');
          return new Promise<void>(() => undefined); // never settles
        },
        onGetNextError: () => {
          calls.push('b:decide');
          return { action: 'later' } as unknown as Recovery; // not a decision
        },
      },
      new (class extends Metrics {
        override onDispatch(): void {
          calls.push('c:dispatch');
        }
        onGetNextError(): Recovery {
          calls.push('c:decide');
          return Recovery.retry(5);
        }
      })(),
    ];
    const repository = new FlakyRepository();
    const { scheduler, clock, events } = kit({ repository: repository as TaskRepository, hooks: compose(sets), hookTimeout: 100 });
    await scheduler.start();
    repository.outages = 1;
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    await clock.advance(5);
    await clock.advance(100);
    const state = (await scheduler.wait(task.id)).state;
    await scheduler.stop();
    const reports = events.filter(([name]) => name === 'loop:error').map(([, p]) => {
      const { error } = p as { error: { code?: string; hook?: string; message: string } };
      return `${error.code ?? 'plain'} ${error.hook ?? error.message}`;
    });
    return { calls, reports, state };
  }

  it('the same calls, decisions, timeouts and reports either way', async () => {
    const asArray = await scenario((sets) => sets);
    const composed = await scenario((sets) => composeHooks(...sets));
    const nested = await scenario(([a, b, c]) => [composeHooks(a as LoopHooks), composeHooks(composeHooks(b as LoopHooks), c as LoopHooks)]);
    expect(asArray.state).toBe(TaskState.Done);
    // Each set is called and bounded on its own: the hanging set times out and the next one runs.
    expect(asArray.calls).toEqual(['a:decide', 'b:decide', 'c:decide', 'a:dispatch', 'b:dispatch', 'c:dispatch']);
    expect(asArray.reports).toEqual([
      'plain store down',
      'ERR_HOOK_FAILED onGetNextError',
      'ERR_HOOK_FAILED onGetNextError',
      'ERR_HOOK_FAILED onDispatch',
      'ERR_HOOK_TIMEOUT onDispatch',
    ]);
    expect(composed).toEqual(asArray);
    expect(nested).toEqual(asArray);
  });

  it('called directly, a composed observer runs every set and then throws the first error', async () => {
    const calls: string[] = [];
    const composed = composeHooks(
      { onTaskEnded: () => void calls.push('a') },
      {
        onTaskEnded: () => {
          calls.push('b');
          throw new Error('b fails');
        },
      },
      { onTaskEnded: () => Promise.reject(new Error('c fails')).finally(() => calls.push('c')) },
      new Metrics(),
    );
    await expect(Promise.resolve(composed.onTaskEnded?.({ task: {} as Task }))).rejects.toThrow('b fails');
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(composed.onStart).toBeUndefined();
  });

  it('called directly, a composed recovery hook returns the first decision, or throws when none decides', async () => {
    const failing: LoopHooks = {
      onGetNextError: () => {
        throw new Error('no idea');
      },
    };
    const deciding = composeHooks(failing, { onGetNextError: () => undefined }, { onGetNextError: () => Recovery.stop }, { onGetNextError: () => Recovery.continue });
    expect(await deciding.onGetNextError?.({ error: null, attempt: 1 })).toEqual(Recovery.stop);
    const undecided = composeHooks({ onGetNextError: () => undefined }, failing);
    await expect(Promise.resolve(undecided.onGetNextError?.({ error: null, attempt: 1 }))).rejects.toThrow('no idea');
    expect(await composeHooks({ onGetNextError: () => undefined }).onGetNextError?.({ error: null, attempt: 1 })).toBeUndefined();
  });
});

describe('hook timeouts', () => {
  it('are durations: a wall-clock jump forward does not time a hook out, nor a jump back delay it', async () => {
    const reports: unknown[] = [];
    const clock = new FakeClock(0);
    const runner = new HookRunner([{ onStart: () => new Promise<void>(() => undefined) }], clock, 1_000, (error) => void reports.push(error));
    let done = false;
    void runner.observe('onStart', {}).then(() => (done = true));
    await clock.set(3_600_000);
    expect([done, reports.length]).toEqual([false, 0]);
    await clock.advance(999);
    await clock.set(0);
    expect([done, reports.length]).toEqual([false, 0]);
    await clock.advance(1);
    expect(done).toBe(true);
    expect(reports).toEqual([expect.objectContaining({ code: 'ERR_HOOK_TIMEOUT' })]);
  });

  it('in a scheduler, a hung hook survives an hour-long jump of the wall clock and times out after hookTimeout', async () => {
    let release!: () => void;
    const { scheduler, clock, events } = kit({ hookTimeout: 5_000, hooks: { onDispatch: () => new Promise<void>((resolve) => (release = resolve)) } });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    await clock.set(clock.now() + 3_600_000);
    expect(events.filter(([name]) => name === 'loop:error')).toEqual([]);
    await clock.advance(4_999);
    expect(events.filter(([name]) => name === 'loop:error')).toEqual([]);
    await clock.advance(1);
    expect(events.filter(([name]) => name === 'loop:error').map(([, p]) => (p as { error: { code: string } }).error.code)).toEqual(['ERR_HOOK_TIMEOUT']);
    release();
    expect((await scheduler.wait(task.id)).state).toBe(TaskState.Done);
    await scheduler.stop();
  });
});
