import { SeriesNotFoundError } from '../errors.js';
import type { TaskRepository } from '../repository/task-repository.js';
import { reviveSchedule } from '../schedule/revive.js';
import type { Schedule, ScheduleReviver } from '../schedule/schedule.js';
import type { Series } from '../schedule/series.js';

/**
 * The scheduler's view of series: the stored record plus its live Schedule, rebuilt from the
 * stored spec once and cached (a restarted scheduler rebuilds cron and every schedules itself,
 * custom kinds through `SchedulerOptions.schedules`). The cache is keyed by the stored spec too: a
 * series replaced (`onConflict: 'replace'`), here or by another process, is revived from its new spec.
 */
export class SeriesBook {
  readonly #repository: TaskRepository;
  readonly #revivers: Readonly<Record<string, ScheduleReviver>>;
  readonly #schedules = new Map<string, { readonly spec: string; readonly schedule: Schedule }>();

  constructor(repository: TaskRepository, revivers: Readonly<Record<string, ScheduleReviver>>) {
    this.#repository = repository;
    this.#revivers = revivers;
  }

  /** Remembers the live Schedule given at creation, so custom schedules need no reviver in this process. */
  remember(seriesId: string, schedule: Schedule): void {
    this.#schedules.set(seriesId, { spec: JSON.stringify(schedule.toJSON()), schedule });
  }

  forget(seriesId: string): void {
    this.#schedules.delete(seriesId);
  }

  /** The series and its Schedule; undefined when the series is gone. */
  async lookup(seriesId: string): Promise<{ series: Series; schedule: Schedule } | undefined> {
    const series = await this.#repository.getSeries(seriesId);
    if (series === undefined) {
      this.#schedules.delete(seriesId);
      return undefined;
    }
    const spec = JSON.stringify(series.schedule);
    const cached = this.#schedules.get(seriesId);
    if (cached !== undefined && cached.spec === spec) return { series, schedule: cached.schedule };
    const schedule = reviveSchedule(series.schedule, this.#revivers);
    this.#schedules.set(seriesId, { spec, schedule });
    return { series, schedule };
  }

  async require(seriesId: string): Promise<{ series: Series; schedule: Schedule }> {
    const found = await this.lookup(seriesId);
    if (found === undefined) throw new SeriesNotFoundError(seriesId);
    return found;
  }
}
