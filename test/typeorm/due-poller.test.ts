/**
 * DuePoller.written(): a time a write saw in its own transaction is followed without a read,
 * unless a read is in flight, which may have started before that write: then one more read follows.
 */
import { describe, expect, it } from 'vitest';
import { DuePoller } from '../../src/repository/typeorm/due-poller.js';
import { FakeClock } from '../../src/testing/index.js';

/** A poller on `read`, watched on a FakeClock at 0; `calls` are the times it woke the watcher. */
function watched(read: (after: number | undefined) => Promise<number | undefined>): { due: DuePoller; calls: number[]; clock: FakeClock } {
  const clock = new FakeClock(0);
  const calls: number[] = [];
  const due = new DuePoller(read, 60_000);
  due.watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
  return { due, calls, clock };
}

describe('DuePoller.written', () => {

  it('follows the written time without reading', async () => {
    let reads = 0;
    const { due, calls, clock } = watched(() => Promise.resolve(++reads === 1 ? undefined : 999));
    await clock.tick();
    expect(reads).toBe(1); // the first load when watching starts
    await due.written(300);
    await clock.advance(300);
    expect([reads, calls]).toEqual([1, [300]]);
    await due.close();
  });

  it('reads once more after a read in flight instead of trusting an order it cannot know', async () => {
    const answers: Array<(at: number | undefined) => void> = [];
    const { due, calls, clock } = watched(() => new Promise((resolve) => answers.push(resolve)));
    await clock.tick();
    expect(answers).toHaveLength(1); // the first load, still in flight
    const written = due.written(300);
    answers[0]!(100); // the older read settles after the write
    await clock.tick();
    expect(answers).toHaveLength(2);
    answers[1]!(300);
    await written;
    await clock.advance(300);
    expect(calls).toEqual([300]);
    await due.close();
  });
});

describe('DuePoller.sooner', () => {
  it('follows a time sooner than the armed one without reading, and ignores a later one', async () => {
    let reads = 0;
    const clock = new FakeClock(0);
    const calls: number[] = [];
    const due = new DuePoller(() => Promise.resolve(++reads === 1 ? 500 : 999), 60_000);
    due.watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
    await clock.tick();
    due.sooner(800);
    due.sooner(200);
    await clock.advance(200);
    expect([reads, calls]).toEqual([1, [200]]);
    await due.close();
  });

  it('reads once more when a read is in flight, which may have started before the write it heard of', async () => {
    const answers: Array<(at: number | undefined) => void> = [];
    const clock = new FakeClock(0);
    const calls: number[] = [];
    const due = new DuePoller(() => new Promise((resolve) => answers.push(resolve)), 60_000);
    due.watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
    await clock.tick();
    due.sooner(100);
    answers[0]!(undefined); // the older read found nothing
    await clock.tick();
    expect(answers).toHaveLength(2);
    answers[1]!(100);
    await clock.tick();
    await clock.advance(100);
    expect(calls).toEqual([100]);
    await due.close();
  });
});

describe('DuePoller.followLater', () => {
  it('follows the time a claim statement saw, without reading', async () => {
    const afters: Array<number | undefined> = [];
    const { due, calls, clock } = watched((after) => (afters.push(after), Promise.resolve(50)));
    await clock.tick();
    const note = due.note();
    await due.followLater(400, 0, note);
    await clock.advance(400);
    expect([afters, calls]).toEqual([[undefined], [400]]);
    await due.close();
  });

  it('follows a wake-up heard while the claim ran, when it is sooner than what the statement saw', async () => {
    const { due, calls, clock } = watched(() => Promise.resolve(undefined));
    await clock.tick();
    const note = due.note();
    void due.sooner(150); // another process's add, committed after the claim's snapshot
    await due.followLater(400, 0, note);
    await clock.advance(400);
    expect(calls).toEqual([150]);
    await due.close();
  });

  it('reads after the claim instead when a re-read was asked for while it ran', async () => {
    const afters: Array<number | undefined> = [];
    const { due, calls, clock } = watched((after) => (afters.push(after), Promise.resolve(after === undefined ? undefined : 120)));
    await clock.tick();
    const note = due.note();
    await due.refresh(); // this process's own write, which the claim statement may not have seen
    await due.followLater(400, 7, note);
    await clock.advance(400);
    expect([afters, calls]).toEqual([[undefined, undefined, 7], [120]]);
    await due.close();
  });

  it('notes nothing once forgotten', async () => {
    const { due, calls, clock } = watched(() => Promise.resolve(undefined));
    await clock.tick();
    const note = due.note();
    due.forget(note);
    void due.sooner(150);
    expect(note).toEqual({ soonest: Infinity, read: false });
    await clock.advance(200);
    expect(calls).toEqual([150]);
    await due.close();
  });
});
