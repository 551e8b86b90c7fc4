export { Scheduler, SchedulerState } from './scheduler/scheduler.js';
export type { Logger, RetryTaskOptions, SchedulerOptions, SchedulerStats, StopOptions } from './scheduler/scheduler.js';
export type { ScheduleInput, StepInput, UpdateInput, WriteOptions } from './validation/validate.js';
export type { AnyWorks, ParamOf, ResultOf, ScheduleInputOf, StepInputOf, TaskId, TaskOf, TypedScheduleInput, TypedStep, TypedTask, WorkMap, WorkTypes } from './scheduler/typed-works.js';
export type { ChainOptions, Flow, GroupOptions, ThenInput } from './scheduler/flow-input.js';
export { cron } from './schedule/cron.js';
export type { CronOptions } from './schedule/cron.js';
export { every } from './schedule/every.js';
export type { EveryOptions, Interval } from './schedule/every.js';
export { reviveSchedule } from './schedule/revive.js';
export type { Schedule, ScheduleReviver, ScheduleSpec } from './schedule/schedule.js';
export { Misfire } from './schedule/series.js';
export type { Series } from './schedule/series.js';
export { backoffDelay, defaultRetry, toRetryPolicy } from './task/retry.js';
export type { RetryInput } from './task/retry.js';
export { schedulerEventNames } from './scheduler/events.js';
export type { LoopPhase, SchedulerEventName, SchedulerEvents, SchedulerListener } from './scheduler/events.js';
export { HeapRepository } from './repository/heap-repository.js';
export type { HeapRepositoryOptions } from './repository/heap-repository.js';
export type { AddOptions, PurgeFilter, RepositoryStats, TaskRepository } from './repository/task-repository.js';
export type { RetentionOptions } from './repository/retention.js';
export { WorkerPoolDispatcher } from './dispatcher/worker-pool-dispatcher.js';
export type { WorkerPoolDispatcherOptions } from './dispatcher/worker-pool-dispatcher.js';
export { WorkRegistry } from './dispatcher/work-registry.js';
export type { WorkFunction, WorkOptions, WorkSettings, WorksOf } from './dispatcher/work-registry.js';
export type { DispatchHandle, Dispatcher, WorkContext, WorkOutcome } from './dispatcher/dispatcher.js';
export { composeHooks } from './hooks/compose-hooks.js';
export { Recovery } from './hooks/loop-hooks.js';
export type { HookEvent, HookName, LoopHooks, UpdateKind } from './hooks/loop-hooks.js';
export { SystemClock } from './clock/system-clock.js';
export type { SystemClockOptions } from './clock/system-clock.js';
export type { Clock, ClockTimer } from './clock/clock.js';
export { Backoff, isEnded, KeyHeld, maxErrorHistory, OnConflict, RecoveryPolicy, ReleaseWhen, TaskState } from './task/task.js';
export type { AttemptError, Dependency, EndedState, JsonValue, RetryPolicy, Task, TaskError, TaskOutcome, TaskQuery } from './task/task.js';
export {
  AbortedError,
  AlreadyDispatchedError,
  DriverNotInstalledError,
  DuplicateIdError,
  DuplicateKeyError,
  ErrorCode,
  HookFailedError,
  HookTimeoutError,
  InvalidArgumentError,
  InvalidResultError,
  InvalidScheduleError,
  KokugenError,
  LeaseLostError,
  ListenerFailedError,
  NonErrorThrownError,
  NotRunningError,
  PoolFullError,
  RetryLaterError,
  SchemaMissingError,
  SeriesNotFoundError,
  SharedDataSourceError,
  StateConflictError,
  StoreLostError,
  TaskCancelledError,
  TaskNotFoundError,
  TransactionUnsupportedError,
  UnknownWorkError,
  WorkTimeoutError,
} from './errors.js';
