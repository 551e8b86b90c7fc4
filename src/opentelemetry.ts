/**
 * `kokugen/opentelemetry`: a scheduler's metrics through `@opentelemetry/api` (an optional peer
 * dependency). A subpath of its own so that the core never loads OpenTelemetry.
 */
export { instrumentScheduler, metricAttributes } from './metrics/scheduler-metrics.js';
export type { SchedulerMetrics, SchedulerMetricsOptions } from './metrics/scheduler-metrics.js';
