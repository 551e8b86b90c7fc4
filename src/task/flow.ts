import { isEnded, ReleaseWhen, TaskState } from './task.js';
import type { Dependency, Task, TaskError } from './task.js';

/**
 * What happens to a flow's waiting steps when one of its tasks ends, as a pure function of the
 * flow's tasks: every store calls it inside the write that ends the task (one transaction on SQL),
 * so two parents of a chord ending at once in two processes still release the callback once.
 */

/** The fields of a flow's task that the decision reads. */
export type FlowMember = Pick<Task, 'id' | 'state' | 'scheduledAt' | 'dependsOn'>;

/** A waiting step's next state: `scheduled` at a time, or `cancelled` with the reason. */
export type FlowChange =
  | { readonly id: string; readonly state: typeof TaskState.Scheduled; readonly scheduledAt: number }
  | { readonly id: string; readonly state: typeof TaskState.Cancelled; readonly error: TaskError };

/** The error a step cancelled by its parents' endings carries. */
export function flowCancelled(message: string): TaskError {
  return Object.freeze({ name: 'FlowCancelled', message });
}

/**
 * The changes of the flow's waiting steps, given its tasks after a write (the ended one in its new
 * state). A cancelled step can cancel (or, for `AllEnded`, release) the steps after it, so this
 * runs to a fixed point; flows are small, and each pass settles at least one step or stops.
 */
export function settleFlow(members: readonly FlowMember[], now: number): FlowChange[] {
  const states = new Map<string, TaskState>();
  for (const member of members) states.set(member.id, member.state);
  const changes: FlowChange[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const member of members) {
      if (states.get(member.id) !== TaskState.Waiting || member.dependsOn === null) continue;
      const change = decide(member, member.dependsOn, states, now);
      if (change === undefined) continue;
      states.set(member.id, change.state);
      changes.push(change);
      changed = true;
    }
  }
  return changes;
}

function decide(member: FlowMember, dependency: Dependency, states: ReadonlyMap<string, TaskState>, now: number): FlowChange | undefined {
  const release: FlowChange = { id: member.id, state: TaskState.Scheduled, scheduledAt: Math.max(member.scheduledAt, now + dependency.delay) };
  let pending = false;
  let failed: string | undefined;
  let other: string | undefined;
  for (const parent of dependency.parents) {
    const state = states.get(parent);
    if (state === undefined) {
      other ??= `its parent ${JSON.stringify(parent)} is gone`;
    } else if (!isEnded(state)) {
      pending = true;
    } else if (state === TaskState.Failed || state === TaskState.Expired) {
      failed ??= `its parent ${JSON.stringify(parent)} ended ${state}`;
    } else if (state === TaskState.Cancelled) {
      other ??= `its parent ${JSON.stringify(parent)} ended cancelled`;
    }
  }
  const cancel = (message: string): FlowChange => ({ id: member.id, state: TaskState.Cancelled, error: flowCancelled(message) });
  switch (dependency.when) {
    case ReleaseWhen.AllDone: {
      const reason = failed ?? other;
      if (reason !== undefined) return cancel(reason);
      return pending ? undefined : release;
    }
    case ReleaseWhen.AllEnded:
      return pending ? undefined : release;
    case ReleaseWhen.AnyFailed:
      if (failed !== undefined) return release;
      return pending ? undefined : cancel('no parent failed');
  }
}
