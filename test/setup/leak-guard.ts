import { afterEach, expect } from 'vitest';
import { Scheduler, SchedulerState } from '../../src/index.js';

/**
 * Fails any test that leaves a scheduler running (its timers would leak into the next test), after
 * stopping it by force so the rest of the run is clean. Schedulers register through `track()`.
 */
const live = new Set<Scheduler>();

export function track<T extends Scheduler>(scheduler: T): T {
  live.add(scheduler);
  return scheduler;
}

afterEach(async () => {
  const leaked = [...live].filter((s) => s.state === SchedulerState.Running || s.state === SchedulerState.Stopping);
  live.clear();
  for (const scheduler of leaked) await scheduler.stop({ force: true });
  expect(leaked.length, 'a test left a scheduler running; stop it before the test ends').toBe(0);
});
