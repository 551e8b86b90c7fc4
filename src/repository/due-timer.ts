import type { ClockTimer } from '../clock/clock.js';
import type { RepositoryWatcher } from './task-repository.js';

/**
 * The timer half of a repository: armed at the earliest scheduled time, moved whenever that time
 * changes. Repositories call `follow()` after every mutation with their new earliest time.
 */
export class DueTimer {
  #watcher: RepositoryWatcher | undefined;
  #timer: ClockTimer | undefined;
  #armedAt: number | undefined;

  watch(watcher: RepositoryWatcher, earliest: number | undefined): () => void {
    this.unwatch();
    this.#watcher = watcher;
    this.follow(earliest);
    return () => {
      if (this.#watcher === watcher) this.unwatch();
    };
  }

  unwatch(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#armedAt = undefined;
    this.#watcher = undefined;
  }

  /** The time the timer is armed at, or undefined (nothing scheduled, not watched, or it fired). */
  get armedAt(): number | undefined {
    return this.#armedAt;
  }

  /** Re-arms for `earliest` (undefined: nothing scheduled) unless the timer is already there. */
  follow(earliest: number | undefined): void {
    const watcher = this.#watcher;
    if (watcher === undefined || earliest === this.#armedAt) return;
    this.#timer?.cancel();
    this.#armedAt = earliest;
    this.#timer = earliest === undefined ? undefined : watcher.clock.setTimer(earliest, this.#fire, watcher.keepAlive);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedAt = undefined;
    this.#watcher?.onDue();
  };
}
