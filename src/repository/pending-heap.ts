import { Heap } from '@datastructures-js/heap';
import { PendingTask } from './pending-task.js';

/**
 * The heap of scheduled records behind `HeapRepository`, with lazy deletion: an entry is live
 * while the repository's Map still holds that same record (`isLive`). A cancel or update replaces
 * the Map entry and calls `staled()`; the stale entry is dropped when it reaches the top, and the
 * heap is rebuilt once stale entries outnumber live ones. That keeps every operation O(log n)
 * amortised without index bookkeeping on each swap.
 */
export class PendingHeap {
  #heap = new Heap<PendingTask>(PendingTask.compare);
  #stale = 0;
  readonly #isLive: (record: PendingTask) => boolean;

  constructor(isLive: (record: PendingTask) => boolean) {
    this.#isLive = isLive;
  }

  push(record: PendingTask): void {
    this.#heap.push(record);
  }

  /** The earliest live entry, dropping stale ones on the way. */
  top(): PendingTask | undefined {
    for (;;) {
      const top = this.#heap.top();
      if (top === null) return undefined;
      if (this.#isLive(top)) return top;
      this.#heap.pop();
      this.#stale--;
    }
  }

  /** Removes the entry `top()` just returned. */
  pop(): void {
    this.#heap.pop();
  }

  /** Counts the entry of a record whose Map entry was just replaced or deleted: it is stale now. */
  staled(): void {
    this.#stale++;
    if (this.#stale > 1024 && this.#stale * 2 > this.#heap.size()) this.#compact();
  }

  #compact(): void {
    const live = this.#heap.toArray().filter(this.#isLive);
    this.#heap = new Heap<PendingTask>(PendingTask.compare, live);
    this.#stale = 0;
  }
}
