import type { Clock, ClockTimer } from '../clock/clock.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * A clock that moves only when told to. `advance()` fires due timers in time order (ties in the
 * order they were set), setting `now()` to each timer's time before it fires, and lets promise
 * chains settle after each one, so a test reads like a timeline and never sleeps.
 *
 * It keeps two readings: wall time (`now()`, `setTimer`) and monotonic time (`monotonic()`,
 * `after`). `advance()` moves both; `set()` is a wall-clock change and moves only wall time, so
 * durations armed with `after` neither fire early on a jump forward nor late on one backward.
 */
export class FakeClock implements Clock {
  #now: number;
  #mono = 0;
  #seq = 0;
  readonly #timers = new Set<FakeTimer>();

  /** @param start the initial time, epoch ms or a Date. @default 0 */
  constructor(start: number | Date = 0) {
    this.#now = toMs(start, 'FakeClock start');
  }

  now(): number {
    return this.#now;
  }

  setTimer(at: number, callback: () => void): ClockTimer {
    return this.#arm(false, at, callback);
  }

  monotonic(): number {
    return this.#mono;
  }

  after(ms: number, callback: () => void): ClockTimer {
    return this.#arm(true, this.#mono + ms, callback);
  }

  #arm(monotonic: boolean, at: number, callback: () => void): ClockTimer {
    const timer = new FakeTimer(monotonic, at, this.#seq++, callback, this.#timers);
    this.#timers.add(timer);
    // A timer already due fires on the next turn, as a real zero-delay timer would.
    if (this.#left(timer) <= 0) setImmediate(() => this.#fire(timer));
    return timer;
  }

  /** How many timers are armed. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError('FakeClock.advance', 'a finite number of ms >= 0', ms);
    const target = this.#now + ms;
    for (;;) {
      const next = this.#earliest(true);
      if (next === undefined) break;
      const step = this.#left(next);
      if (this.#now + step > target) break;
      if (step > 0) {
        this.#now += step;
        this.#mono += step;
      }
      this.#fire(next);
      await flush();
    }
    this.#mono += target - this.#now;
    this.#now = target;
    await flush();
  }

  /**
   * Sets the wall time, as a wall-clock change would: monotonic time stays where it is. Forward,
   * it fires the `setTimer` timers that fall due, in order; backward, nothing fires, and they wait
   * until the clock reaches their time again. `after` timers are not moved either way.
   */
  async set(time: number | Date): Promise<void> {
    const to = toMs(time, 'FakeClock.set');
    for (;;) {
      const next = this.#earliest(false);
      if (next === undefined || next.at > to) break;
      if (next.at > this.#now) this.#now = next.at;
      this.#fire(next);
      await flush();
    }
    this.#now = to;
    await flush();
  }

  /** Lets pending promise chains settle without moving time. */
  async tick(): Promise<void> {
    await flush();
  }

  /** How far a timer is from due, in ms of the time it follows. */
  #left(timer: FakeTimer): number {
    return timer.at - (timer.monotonic ? this.#mono : this.#now);
  }

  /** The timer due first; with `monotonic` false, among wall timers only. */
  #earliest(monotonic: boolean): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    let bestLeft = 0;
    for (const t of this.#timers) {
      if (t.monotonic && !monotonic) continue;
      const left = this.#left(t);
      if (best === undefined || left < bestLeft || (left === bestLeft && t.seq < best.seq)) {
        best = t;
        bestLeft = left;
      }
    }
    return best;
  }

  #fire(timer: FakeTimer): void {
    if (!this.#timers.delete(timer)) return;
    timer.callback();
  }
}

class FakeTimer implements ClockTimer {
  constructor(
    readonly monotonic: boolean,
    readonly at: number,
    readonly seq: number,
    readonly callback: () => void,
    private readonly owner: Set<FakeTimer>,
  ) {}

  cancel(): void {
    this.owner.delete(this);
  }
}

/** Resolves after every promise job queued so far (and those they queue) has run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function toMs(time: number | Date, what: string): number {
  const ms = time instanceof Date ? time.getTime() : time;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new InvalidArgumentError(what, 'a finite epoch ms or a valid Date', time);
  return ms;
}
