import { AggregationTemporality, DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { instrumentScheduler } from '../src/opentelemetry.js';
import { deferred } from '../src/testing/index.js';
import { codeOf, kit, T0 } from './helpers.js';

/** A reader that collects only when asked: the test decides when a scrape happens. */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function scrape(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  return byName;
}

/** The data points of a metric as `attributes JSON -> value`. */
function points<T>(metric: MetricData | undefined): Map<string, T> {
  const out = new Map<string, T>();
  for (const point of (metric?.dataPoints ?? []) as Array<DataPoint<T>>) out.set(JSON.stringify(point.attributes), point.value);
  return out;
}

describe('kokugen/opentelemetry', () => {
  it('counts scheduled, started and ended tasks, records lateness and duration, and observes gauges', async () => {
    const gate = deferred<void>();
    const { scheduler, clock } = kit({
      concurrency: 2,
      works: (works) => {
        works.register('slow', () => gate.promise);
        works.register('boom', () => Promise.reject(new Error('boom')));
      },
    });
    const reader = new OnDemandReader();
    const provider = new MeterProvider({ readers: [reader] });
    const instrumented = instrumentScheduler(scheduler, { meter: provider.getMeter('test') });

    await scheduler.schedule({ id: 'late', workId: 'record', at: T0 - 50 });
    await scheduler.schedule({ id: 'slow', workId: 'slow', at: T0 });
    await scheduler.schedule({ id: 'later', workId: 'record', delay: 60_000 });
    const gone = await scheduler.schedule({ workId: 'boom', delay: 10 });
    await scheduler.cancel((await scheduler.schedule({ workId: 'record', delay: 5 })).id);
    await scheduler.start();
    await scheduler.wait('late');
    await clock.advance(10);
    await scheduler.wait(gone.id);
    await clock.advance(190);

    const during = await scrape(reader);
    expect(points(during.get('kokugen.tasks.scheduled'))).toEqual(new Map([['{}', 1]]));
    expect(points(during.get('kokugen.tasks.running'))).toEqual(new Map([['{}', 1]]));
    expect(points(during.get('kokugen.tasks.due_lateness'))).toEqual(new Map([['{}', 0]]));

    gate.resolve();
    await scheduler.wait('slow');
    const after = await scrape(reader);
    expect(points(after.get('kokugen.task.scheduled'))).toEqual(
      new Map([
        ['{"kokugen.work_id":"record"}', 3],
        ['{"kokugen.work_id":"slow"}', 1],
        ['{"kokugen.work_id":"boom"}', 1],
      ]),
    );
    expect(points(after.get('kokugen.task.started'))).toEqual(
      new Map([
        ['{"kokugen.work_id":"record"}', 1],
        ['{"kokugen.work_id":"slow"}', 1],
        ['{"kokugen.work_id":"boom"}', 1],
      ]),
    );
    expect(points(after.get('kokugen.task.ended'))).toEqual(
      new Map([
        ['{"kokugen.work_id":"record","kokugen.state":"cancelled"}', 1],
        ['{"kokugen.work_id":"record","kokugen.state":"done"}', 1],
        ['{"kokugen.work_id":"boom","kokugen.state":"failed"}', 1],
        ['{"kokugen.work_id":"slow","kokugen.state":"done"}', 1],
      ]),
    );
    const lateness = points<Histogram>(after.get('kokugen.task.lateness'));
    expect(after.get('kokugen.task.lateness')?.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(lateness.get('{"kokugen.work_id":"record"}')).toMatchObject({ count: 1, sum: 50 });
    expect(lateness.get('{"kokugen.work_id":"slow"}')).toMatchObject({ count: 1, sum: 0 });
    const duration = points<Histogram>(after.get('kokugen.task.duration'));
    expect(duration.get('{"kokugen.work_id":"slow"}')).toMatchObject({ count: 1, sum: 200 });
    expect(duration.get('{"kokugen.work_id":"boom"}')).toMatchObject({ count: 1, sum: 0 });
    expect(after.get('kokugen.task.duration')?.descriptor.unit).toBe('ms');
    expect(points(after.get('kokugen.tasks.running'))).toEqual(new Map([['{}', 0]]));

    instrumented.close();
    await scheduler.schedule({ workId: 'record', delay: 1 });
    const closed = await scrape(reader);
    expect(points(closed.get('kokugen.task.scheduled')).get('{"kokugen.work_id":"record"}')).toBe(3);
    await scheduler.stop();
    await provider.shutdown();
  });

  it('refuses what is not a scheduler, a meter or a known option', async () => {
    const { scheduler } = kit();
    const meter = new MeterProvider().getMeter('x');
    expect(await codeOf(() => instrumentScheduler({} as never, { meter }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => instrumentScheduler(scheduler, { meter: {} as never }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => instrumentScheduler(scheduler, { meter, extra: 1 } as never))).toBe('ERR_INVALID_ARGUMENT');
  });
});
