import { InvalidArgumentError } from '../errors.js';
import { newId } from '../task/id.js';
import { ReleaseWhen } from '../task/task.js';
import type { Dependency, NewTask, Task } from '../task/task.js';
import { checkDeadline, checkId, checkKeys, checkObject, checkTime } from '../validation/validate.js';
import type { ScheduleInput, StepInput } from '../validation/validate.js';
import { oneOffKeys, taskFields, toNewTask } from './task-input.js';
import type { InputContext } from './task-input.js';

/**
 * Flows (callbacks, chains, groups) turned into the tasks one repository write stores: pure
 * functions of (input, now, what the dispatcher runs), like task-input.ts. A step that waits for
 * others is an ordinary task with `dependsOn`, stored `waiting`.
 */

/** A chord's callback: a step that, with `runOnFailure`, runs once every member ended in any state. */
export type ThenInput = StepInput & {
  /** Run even when a member ended failed, expired or cancelled. @default false */
  readonly runOnFailure?: boolean;
};

export interface ChainOptions {
  /** The flow's id, on every step as `flowId`. @default a random UUID */
  readonly id?: string;
}

export interface GroupOptions {
  /** The flow's id, on every member as `flowId`. @default a random UUID */
  readonly id?: string;
  /** The chord's callback: due once every member ended `done`, receiving them all as `parents`. */
  readonly then?: ThenInput;
}

/** What `chain()` and `group()` resolve with. */
export interface Flow {
  readonly id: string;
  /** The stored steps, in input order (a group's `then` last). */
  readonly tasks: readonly Task[];
}

/** A one-off task with its `onSuccess` / `onFailure` callbacks: [task, ...callbacks]; its id is the flow's. */
export function toWithCallbacks(input: ScheduleInput, context: InputContext): NewTask[] {
  const main = toNewTask(input, context);
  const { onSuccess, onFailure } = input;
  if (onSuccess === undefined && onFailure === undefined) return [main];
  const flowId = main.id;
  const tasks: NewTask[] = [{ ...main, flowId }];
  if (onSuccess !== undefined) tasks.push(toStep(onSuccess, context, 'onSuccess', flowId, { parents: [main.id], when: ReleaseWhen.AllDone }));
  if (onFailure !== undefined) tasks.push(toStep(onFailure, context, 'onFailure', flowId, { parents: [main.id], when: ReleaseWhen.AnyFailed }));
  return tasks;
}

/** A chain: each step waits for the one before it to end `done`. */
export function toChain(steps: readonly StepInput[], options: ChainOptions, context: InputContext): { id: string; tasks: NewTask[] } {
  const list = checkSteps(steps, 'chain');
  const flowId = flowIdOf(options, 'chain', ['id']);
  const tasks: NewTask[] = [];
  list.forEach((step, i) => {
    const before = tasks[i - 1];
    tasks.push(toStep(step, context, `chain step ${i}`, flowId, before === undefined ? undefined : { parents: [before.id], when: ReleaseWhen.AllDone }));
  });
  return { id: flowId, tasks };
}

/** A group of independent members and, with `then`, the chord's callback waiting for them all. */
export function toGroup(members: readonly StepInput[], options: GroupOptions, context: InputContext): { id: string; tasks: NewTask[] } {
  const list = checkSteps(members, 'group');
  const flowId = flowIdOf(options, 'group', ['id', 'then']);
  const tasks = list.map((member, i) => toStep(member, context, `group member ${i}`, flowId, undefined));
  if (options.then !== undefined) {
    const then = checkObject(options.then, 'group then');
    const runOnFailure = then['runOnFailure'];
    if (runOnFailure !== undefined && typeof runOnFailure !== 'boolean') throw new InvalidArgumentError('group then.runOnFailure', 'a boolean', runOnFailure);
    const { runOnFailure: _, ...step } = then;
    const parents = tasks.map((t) => t.id);
    tasks.push(toStep(step as StepInput, context, 'group then', flowId, { parents, when: runOnFailure === true ? ReleaseWhen.AllEnded : ReleaseWhen.AllDone }));
  }
  return { id: flowId, tasks };
}

function checkSteps(steps: readonly StepInput[], what: string): readonly StepInput[] {
  if (!Array.isArray(steps) || steps.length === 0) throw new InvalidArgumentError(what, 'a non-empty array of steps', steps);
  return steps;
}

function flowIdOf(options: ChainOptions | GroupOptions, what: string, keys: readonly string[]): string {
  const object = checkObject(options, `${what} options`);
  checkKeys(object, keys, `${what} options`);
  return object['id'] === undefined ? newId() : checkId(object['id'], `${what} id`);
}

/**
 * One step: a one-off task in the flow. A waiting step keeps `at` as its earliest time and counts
 * `delay` from its release (stored in `dependsOn.delay`), so a callback's delay means "after".
 */
function toStep(input: StepInput, context: InputContext, what: string, flowId: string, waits: Omit<Dependency, 'delay'> | undefined): NewTask {
  const object = checkObject(input, what);
  checkKeys(object, oneOffKeys, what);
  const at = checkTime(object, context.now, false);
  const delay = waits !== undefined && object['delay'] !== undefined ? (at as number) - context.now : 0;
  const scheduledAt = at === undefined || delay > 0 ? context.now : at;
  return {
    ...taskFields(object, context),
    scheduledAt,
    seriesId: null,
    deadline: checkDeadline(object['deadline'], scheduledAt),
    flowId,
    dependsOn: waits === undefined ? null : { ...waits, delay },
  };
}
