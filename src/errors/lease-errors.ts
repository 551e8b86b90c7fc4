import { ErrorCode, KokugenError } from './kokugen-error.js';

/**
 * A process wrote for a task whose lease it no longer holds: the lease expired (the process was
 * paused, cut off from the store, or too busy to renew) and another claim took the task over, or
 * the task ended meanwhile. The write is refused, so a late first attempt never overwrites the
 * outcome of the attempt that took over. Definitive: reported once, never retried. It is also the
 * reason a running work's AbortSignal aborts with when a renewal finds the lease gone.
 */
export class LeaseLostError extends KokugenError {
  override get name(): string {
    return 'LeaseLostError';
  }

  readonly taskId: string;
  /** The attempt whose lease was lost (the claim's fencing token). */
  readonly attempt: number;

  constructor(taskId: string, attempt: number) {
    super(ErrorCode.LeaseLost, `task ${JSON.stringify(taskId)}: the lease of attempt ${attempt} was lost (expired and taken over, or the task ended): the write no longer applies`);
    this.taskId = taskId;
    this.attempt = attempt;
  }
}
