import type { Task } from '../task/task.js';
import type { ScheduleInput, StepInput } from '../validation/validate.js';

/**
 * Compile-time types of the works a scheduler runs: a map from work id to the param it takes and
 * the result it gives. Types only; nothing here exists at run time, and nothing is checked at run
 * time beyond what untyped use checks (params are JSON).
 *
 * ```ts
 * interface Works {
 *   email: { param: { to: string }; result: string };
 * }
 * const scheduler = new Scheduler<Works>({ ... });
 * ```
 */

/** One work's types. An absent `param` or `result` is `unknown`. */
export interface WorkTypes {
  readonly param?: unknown;
  readonly result?: unknown;
}

/** A map of work ids to their `WorkTypes`; an interface or a type literal will do. */
export type WorkMap<W> = { readonly [K in keyof W]: WorkTypes };

/** The map of a scheduler given none: any work id, any param, `Task` results as before. */
export type AnyWorks = Record<string, WorkTypes>;

/** Whether `W` names its works (a typed scheduler) rather than any string. */
type IsTyped<W> = string extends keyof W ? false : true;

export type ParamOf<T> = T extends { readonly param: infer P } ? P : unknown;
export type ResultOf<T> = T extends { readonly result: infer R } ? R : unknown;

declare const workTypes: unique symbol;

/**
 * A task id that remembers, for the compiler only, the types of its work; a plain string at run
 * time. `wait(task.id)` uses it to resolve with the typed task.
 */
export type TaskId<T extends WorkTypes = WorkTypes> = string & { readonly [workTypes]: T };

/** A task of a typed work: `param` typed, `result` typed once it ended `done` (null before and otherwise). */
export type TypedTask<T extends WorkTypes> = Omit<Task, 'id' | 'param' | 'result'> & {
  readonly id: TaskId<T>;
  readonly param: ParamOf<T>;
  readonly result: ResultOf<T> | null;
};

/** `param` is required unless the work's param type admits null or undefined (the default is null). */
type ParamField<P> = null extends P ? { readonly param?: P } : undefined extends P ? { readonly param?: P } : { readonly param: P };

type Untyped = 'workId' | 'param' | 'onSuccess' | 'onFailure';

/** A step of a typed work, one member of the union per work id (so `workId` picks the `param` type). */
export type TypedStep<W> = { [K in keyof W & string]: Omit<StepInput, Untyped> & { readonly workId: K } & ParamField<ParamOf<W[K]>> }[keyof W & string];

/** `schedule()`'s input for a typed work: `param`, `onSuccess` and `onFailure` checked against the map. */
export type TypedScheduleInput<W, K extends keyof W & string = keyof W & string> = {
  [I in K]: Omit<ScheduleInput, Untyped> & {
    readonly workId: I;
    readonly onSuccess?: TypedStep<W>;
    readonly onFailure?: TypedStep<W>;
  } & ParamField<ParamOf<W[I]>>;
}[K];

/** What `schedule()` takes: `ScheduleInput` unchanged on an untyped scheduler. */
export type ScheduleInputOf<W, K extends keyof W & string = keyof W & string> = IsTyped<W> extends true ? TypedScheduleInput<W, K> : ScheduleInput;

/** What `chain()` and `group()` take as steps. */
export type StepInputOf<W> = IsTyped<W> extends true ? TypedStep<W> : StepInput;

/** What `schedule()` resolves with: `Task` on an untyped scheduler. */
export type TaskOf<W, K extends keyof W & string> = IsTyped<W> extends true ? TypedTask<Extract<W[K], WorkTypes>> : Task;
