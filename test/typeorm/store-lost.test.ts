/**
 * The SQLite file's directory removed while a scheduler runs on it. SQLite keeps writing to the
 * open, unlinked file without an error, so every write after the removal would be reported done
 * and then vanish at exit. The repository notices that the path no longer leads to the file it
 * opened and refuses from then on with ERR_STORE_LOST, which the scheduler reports as loop:error.
 */
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreLostError } from '../../src/index.js';
import type { SchedulerEvents } from '../../src/index.js';
import { FakeClock, newTask } from '../../src/testing/index.js';
import { TypeOrmRepository } from '../../src/typeorm.js';
import { codeOf, kit, T0 } from '../helpers.js';
import { tempDir } from './stores.js';

type LoopError = SchedulerEvents['loop:error'];

describe('a SQLite store whose file is removed while open', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function open(): Promise<{ repository: TypeOrmRepository; dir: string; file: string }> {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const file = join(dir, 'tasks.sqlite');
    const repository = await TypeOrmRepository.open({ type: 'sqlite', database: file });
    cleanups.push(() => repository.close());
    return { repository, dir, file };
  }

  it('is reported in loop:error, and no task is reported done after the removal', async () => {
    const { repository, dir } = await open();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { scheduler, clock, events } = kit({ repository, concurrency: 4, works: (works) => works.register('gated', () => gate) });
    const lost = (phase: LoopError['phase']) =>
      new Promise<LoopError>((resolve) => scheduler.on('loop:error', (event) => void (event.phase === phase && (event.error as { code?: unknown }).code === 'ERR_STORE_LOST' && resolve(event))));
    const early = Array.from({ length: 10 }, (_, i) => `early-${i}`);
    const late = Array.from({ length: 10 }, (_, i) => `late-${i}`);
    await scheduler.scheduleMany([
      ...early.map((id) => ({ id, workId: 'record', at: T0 + 10 })),
      { id: 'in-flight', workId: 'gated', at: T0 + 10 },
      ...late.map((id) => ({ id, workId: 'record', at: T0 + 1_000 })),
    ]);
    await scheduler.start();
    await clock.set(T0 + 10);
    await Promise.all(early.map((id) => scheduler.wait(id)));
    const doneBefore = events.filter(([name]) => name === 'task:done').length;
    expect(doneBefore).toBe(10);

    /** Which comes first: the loop's report that the store is lost, or one of `ids` reported done (as they were, into the removed file). */
    const first = (report: Promise<LoopError>, ids: readonly string[]) =>
      Promise.race([report, new Promise<string>((resolve) => scheduler.on('task:done', ({ task }) => void (ids.includes(task.id) && resolve(`${task.id} reported done`))))]);

    // Listening from before the removal: a spare wake-up may make the loop claim (and be refused) before the late tasks fall due.
    const claiming = first(lost('claim'), late);
    rmSync(dir, { recursive: true, force: true });
    const completing = first(lost('complete'), ['in-flight']);
    release(); // the task in flight ends after the removal: its outcome has nowhere to go
    const completion = await completing;
    expect(completion).toMatchObject({ phase: 'complete', taskId: 'in-flight' });
    expect((completion as LoopError).error).toBeInstanceOf(StoreLostError);

    await clock.set(T0 + 1_000); // the late tasks fall due: the claim is refused
    expect(await claiming).toMatchObject({ phase: 'claim', error: { code: 'ERR_STORE_LOST' } });

    expect(events.filter(([name]) => name === 'task:done')).toHaveLength(doneBefore);
    expect(await codeOf(scheduler.schedule({ workId: 'record', delay: 0 }))).toBe('ERR_STORE_LOST');
    expect(await codeOf(scheduler.get('early-0'))).toBe('ERR_STORE_LOST');
    await scheduler.stop({ force: true });
  });

  it('is noticed by the timer\'s poll while nothing is written: the watcher wakes, and its claim is refused', async () => {
    const { repository, dir } = await open();
    await repository.add([newTask({ id: 'next-hour', scheduledAt: T0 + 3_600_000 })]);
    const clock = new FakeClock(T0);
    let wakes = 0;
    let woken!: () => void;
    const wakened = new Promise<void>((resolve) => (woken = resolve));
    cleanups.push(repository.watch({ clock, keepAlive: false, onDue: () => (wakes++, woken()) }));
    await clock.advance(1_000);
    // The poll's read at +1 s is real I/O and may still be in flight (a poll skips while one is):
    // a read queued behind it on the same connection settles only after it.
    await repository.find({});
    expect(wakes).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    // The poll's read runs on a connection idle since the last one: it checks the file, fails, and wakes the watcher.
    await clock.advance(1_000);
    await wakened;
    expect(await codeOf(repository.claimDue(clock.now(), 10, 'me'))).toBe('ERR_STORE_LOST');
  });

  it('refuses every call once another file takes its path (a restore from a backup)', async () => {
    const { repository, dir, file } = await open();
    await repository.add([newTask({ id: 'a', scheduledAt: 1 })]);
    const backup = join(dir, 'backup.sqlite');
    const other = await TypeOrmRepository.open({ type: 'sqlite', database: backup });
    await other.add([newTask({ id: 'from-backup', scheduledAt: 1 })]);
    await other.close();
    renameSync(backup, file);
    for (const call of [() => repository.claimDue(2, 1, 'me'), () => repository.add([newTask({ id: 'b' })]), () => repository.get('a'), () => repository.find({})]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreLostError);
      expect(error).toMatchObject({ code: 'ERR_STORE_LOST', location: file });
    }
  });

  it('leaves an in-memory database alone', async () => {
    const repository = await TypeOrmRepository.open({ type: 'sqlite', database: ':memory:' });
    cleanups.push(() => repository.close());
    await repository.add([newTask({ id: 'a', scheduledAt: 1 })]);
    expect((await repository.claimDue(2, 1, 'me')).map((task) => task.id)).toEqual(['a']);
  });
});
