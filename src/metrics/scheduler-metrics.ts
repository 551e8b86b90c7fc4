import { metrics } from '@opentelemetry/api';
import type { Attributes, BatchObservableCallback, Meter } from '@opentelemetry/api';
import { InvalidArgumentError } from '../errors.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Task } from '../task/task.js';
import { checkKeys, checkObject } from '../validation/validate.js';

export interface SchedulerMetricsOptions {
  /** The meter to create the instruments on. @default metrics.getMeter('kokugen') (the global MeterProvider) */
  readonly meter?: Meter;
}

/** What `instrumentScheduler` returns: `close()` removes its listeners and gauge callback. */
export interface SchedulerMetrics {
  close(): void;
}

/** The attribute names kokugen puts on its measurements. */
export const metricAttributes = { workId: 'kokugen.work_id', state: 'kokugen.state' } as const;

const optionKeys = Object.keys({ meter: 0 } satisfies Record<keyof SchedulerMetricsOptions, 0>);

/**
 * Records a scheduler's activity as OpenTelemetry metrics, through `@opentelemetry/api` only (the
 * SDK and exporter are the application's choice):
 *
 * - counters `kokugen.task.scheduled`, `kokugen.task.started` (by work) and `kokugen.task.ended`
 *   (by work and end state), from the scheduler's events;
 * - histograms `kokugen.task.lateness` (start − scheduledAt) and `kokugen.task.duration` (end −
 *   start of a run that ended done or failed), in ms;
 * - observable gauges `kokugen.tasks.scheduled` (in the store, all processes), `kokugen.tasks.running`
 *   (in this process) and `kokugen.tasks.due_lateness` (how late the most overdue task is, ms), read
 *   from one `stats()` per collection. A failing `stats()` skips that collection's gauges.
 */
export function instrumentScheduler(scheduler: Scheduler, options: SchedulerMetricsOptions = {}): SchedulerMetrics {
  checkKeys(checkObject(options, 'instrumentScheduler options'), optionKeys, 'instrumentScheduler options');
  if (typeof scheduler?.stats !== 'function' || typeof scheduler.on !== 'function') throw new InvalidArgumentError('instrumentScheduler scheduler', 'a Scheduler', scheduler);
  const meter = options.meter ?? metrics.getMeter('kokugen');
  if (typeof meter?.createCounter !== 'function') throw new InvalidArgumentError('instrumentScheduler meter', 'an OpenTelemetry Meter', meter);

  const scheduled = meter.createCounter('kokugen.task.scheduled', { description: 'Tasks scheduled (series occurrences included)' });
  const started = meter.createCounter('kokugen.task.started', { description: 'Task attempts started' });
  const ended = meter.createCounter('kokugen.task.ended', { description: 'Tasks ended, by end state' });
  const lateness = meter.createHistogram('kokugen.task.lateness', { unit: 'ms', description: 'How long after its scheduled time an attempt started' });
  const duration = meter.createHistogram('kokugen.task.duration', { unit: 'ms', description: 'How long a run that ended done or failed took' });
  const pending = meter.createObservableGauge('kokugen.tasks.scheduled', { description: 'Tasks waiting in the store (all processes)' });
  const running = meter.createObservableGauge('kokugen.tasks.running', { description: 'Tasks running in this process' });
  const dueLateness = meter.createObservableGauge('kokugen.tasks.due_lateness', { unit: 'ms', description: 'How late the most overdue scheduled task is (0 when none is due)' });

  const work = (task: Task): Attributes => ({ [metricAttributes.workId]: task.workId });
  const end = (task: Task): void => {
    ended.add(1, { [metricAttributes.workId]: task.workId, [metricAttributes.state]: task.state });
    if ((task.state === 'done' || task.state === 'failed') && task.dispatchedAt !== null && task.endedAt !== null) duration.record(Math.max(0, task.endedAt - task.dispatchedAt), work(task));
  };
  const listeners = {
    'task:scheduled': ({ task }: { task: Task }) => scheduled.add(1, work(task)),
    'task:dispatched': ({ task }: { task: Task }) => {
      started.add(1, work(task));
      if (task.dispatchedAt !== null) lateness.record(Math.max(0, task.dispatchedAt - task.scheduledAt), work(task));
    },
    'task:done': ({ task }: { task: Task }) => end(task),
    'task:failed': ({ task }: { task: Task }) => end(task),
    'task:cancelled': ({ task }: { task: Task }) => end(task),
    'task:expired': ({ task }: { task: Task }) => end(task),
  } as const;
  for (const [event, listener] of Object.entries(listeners)) scheduler.on(event as keyof typeof listeners, listener);

  const observe: BatchObservableCallback = async (result) => {
    try {
      const stats = await scheduler.stats();
      result.observe(pending, stats.byState.scheduled);
      result.observe(running, stats.running);
      result.observe(dueLateness, stats.oldestDueLateness ?? 0);
    } catch {
      // No reading this time: a gauge without a value is better than a made-up one.
    }
  };
  const observables = [pending, running, dueLateness];
  meter.addBatchObservableCallback(observe, observables);

  return {
    close: () => {
      for (const [event, listener] of Object.entries(listeners)) scheduler.off(event as keyof typeof listeners, listener);
      meter.removeBatchObservableCallback(observe, observables);
    },
  };
}
