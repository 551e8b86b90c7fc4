import { InvalidScheduleError } from '../errors.js';
import { nextTime } from '../schedule/next-time.js';
import type { Core } from './core.js';
import type { Outcomes } from './outcomes.js';
import { occurrence } from './task-input.js';

/** At start: every enabled series without a pending or running occurrence gets one (heals a crash between writes). */
export async function repairSeries(core: Core, outcomes: Outcomes): Promise<void> {
  const now = core.clock.now();
  for (const series of await core.repository.listSeries()) {
    if (!series.enabled) continue;
    try {
      const { schedule } = await core.series.require(series.id);
      const at = nextTime(schedule, now, series.id);
      if (at === null) continue;
      const { task } = await core.repository.setSeriesEnabled(series.id, true, now, occurrence(series, at, now));
      if (task !== undefined) core.events.emit('task:scheduled', { task });
    } catch (error) {
      if (error instanceof InvalidScheduleError) await outcomes.endSeries(series.id, error);
      else core.report(error, 'claim');
    }
  }
}
