/**
 * `kokugen/repository`: for writing your own `TaskRepository`. The contract's types, and the
 * helpers the shipped repositories are built from, so that yours orders, filters, records errors
 * and wakes the loop the way they do. Using the scheduler needs none of it: that is the root entry.
 */
export type { AddOptions, Completion, EndingWatcher, PurgeFilter, RepositoryStats, RepositoryWatcher, SeriesChange, TaskRepository } from './task-repository.js';
export { isRetryable, refuseRetry, retriedChange, StatsTally } from './operations.js';
export type { NewTask, TaskChange, TaskOutcome, TaskPatch } from '../task/task.js';
export { appendError, compareTasks, crashError, createdTask, matchesQuery, snapshot } from '../task/task.js';
export { flowCancelled, settleFlow } from '../task/flow.js';
export type { FlowChange, FlowMember } from '../task/flow.js';
export { planSeriesConflict, sameDefinition } from './series-conflict.js';
export type { SeriesPlan } from './series-conflict.js';
export { DueTimer } from './due-timer.js';
export { EndingWatches } from './ending-watches.js';
export { Retention } from './retention.js';
export type { RetentionOptions } from './retention.js';
