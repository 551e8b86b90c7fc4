// The ideal reference: the practical floor for an in-process scheduler in JavaScript.
// One min-heap of entries keyed by due time, ONE setTimeout armed for the top entry, a concurrency
// counter, cancellation by marking (lazy deletion). No ids, no validation, no events, no snapshots:
// whatever the kit spends beyond this is the price of its features.
import { Heap } from '@datastructures-js/heap';

/** Node fires any delay above 2^31-1 ms at once; re-arming at most this far ahead keeps far-future entries exact. */
const MAX_DELAY = 30_000;

export class IdealScheduler {
  #heap = new Heap((a, b) => a.at - b.at);
  #timer = undefined;
  #armedAt = Infinity;
  #running = 0;
  #started = false;
  #idle = undefined;

  /** @param {{ work: (param: unknown, at: number) => Promise<unknown>, concurrency?: number }} options */
  constructor({ work, concurrency = Infinity }) {
    this.work = work;
    this.concurrency = concurrency;
  }

  /** Schedules `param` at epoch ms `at`; the returned entry is the cancel handle. */
  add(at, param) {
    const entry = { at, param, cancelled: false };
    this.#heap.push(entry);
    if (this.#started && at < this.#armedAt) this.#arm();
    return entry;
  }

  cancel(entry) {
    if (entry.cancelled) return false;
    entry.cancelled = true;
    return true;
  }

  start() {
    this.#started = true;
    this.#drain();
  }

  stop() {
    this.#started = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Infinity;
  }

  /** Resolves once no work is running. */
  idle() {
    return this.#running === 0 ? Promise.resolve() : new Promise((resolve) => (this.#idle = resolve));
  }

  #drain() {
    const now = Date.now();
    while (this.#running < this.concurrency) {
      const top = this.#heap.top();
      if (top === null || (!top.cancelled && top.at > now)) break;
      this.#heap.pop();
      if (top.cancelled) continue;
      this.#running++;
      this.work(top.param, top.at).then(this.#settled, this.#settled);
    }
    if (this.#running < this.concurrency) this.#arm();
  }

  #arm() {
    let top = this.#heap.top();
    while (top !== null && top.cancelled) top = (this.#heap.pop(), this.#heap.top());
    const at = top === null ? Infinity : top.at;
    if (at === this.#armedAt) return;
    clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = at === Infinity ? undefined : setTimeout(this.#fire, Math.min(Math.max(0, at - Date.now()), MAX_DELAY));
  }

  #fire = () => {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    if (this.#started) this.#drain();
  };

  #settled = () => {
    this.#running--;
    if (this.#started) this.#drain();
    if (this.#running === 0 && this.#idle !== undefined) (this.#idle(), (this.#idle = undefined));
  };
}
