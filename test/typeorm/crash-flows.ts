import { expect } from 'vitest';
import type { Scenario } from './crash-harness.js';

const chains = 150;
const chainLength = 4;
const chords = 100;
const members = 3;
const spreadMs = 3_000;

/**
 * Chains and chords under kill -9: every step must run at least once and end done, and no step may
 * start before each of its parents' last run (a parent never runs again once done, and a step is
 * released only by the write that stored its parent done).
 */
export const flowScenario: Scenario = {
  name: 'flows',
  taskCount: chains * chainLength + chords * (members + 1),
  seed: async (scheduler) => {
    let n = 0;
    for (let i = 0; i < chains; i++) {
      const delay = Math.floor((i * spreadMs) / chains);
      await scheduler.chain(Array.from({ length: chainLength }, (_, s) => ({ id: `t${n++}`, workId: 'append', ...(s === 0 ? { delay } : {}) })));
    }
    for (let i = 0; i < chords; i++) {
      const delay = Math.floor((i * spreadMs) / chords);
      await scheduler.group(Array.from({ length: members }, () => ({ id: `t${n++}`, workId: 'append', delay })), { then: { id: `t${n++}`, workId: 'append' } });
    }
  },
  check: (tasks, log) => {
    const first = new Map<string, number>();
    const last = new Map<string, number>();
    log.forEach((id, i) => {
      if (!first.has(id)) first.set(id, i);
      last.set(id, i);
    });
    let steps = 0;
    for (const task of tasks) {
      expect(task.flowId, task.id).not.toBeNull();
      if (task.dependsOn === null) continue;
      steps++;
      for (const parent of task.dependsOn.parents) {
        expect(last.get(parent), `${task.id} started before its parent ${parent} was done`).toBeLessThan(first.get(task.id) as number);
      }
    }
    expect(steps).toBe(chains * (chainLength - 1) + chords);
  },
};
