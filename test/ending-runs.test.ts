import { describe, expect, it } from 'vitest';
import { EndingRuns } from '../src/scheduler/ending-runs.js';
import { Run } from '../src/scheduler/run.js';
import { createdTask } from '../src/task/task.js';
import { newTask } from '../src/testing/index.js';

const run = (id: string): Run => new Run(createdTask(newTask({ id }), 1));

describe('EndingRuns', () => {
  it('keeps each run once, in any order of removal, and forgets one removed twice or never added', () => {
    const ending = new EndingRuns();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(run) as [Run, Run, Run, Run];
    for (const r of [a, b, c]) ending.add(r);
    ending.delete(a); // the first: the last one moves into its slot
    ending.delete(a);
    ending.delete(d);
    expect(ending.size).toBe(2);
    expect(ending.list().map((r) => r.task.id).sort()).toEqual(['b', 'c']);
    expect([ending.has('a'), ending.has('b'), ending.has('c')]).toEqual([false, true, true]);
    ending.add(a);
    ending.delete(c);
    ending.delete(b);
    expect(ending.list()).toEqual([a]);
    ending.delete(a);
    expect(ending.size).toBe(0);
    expect(a.endingSlot).toBe(-1);
  });
});
