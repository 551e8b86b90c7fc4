import type { Clock, ClockTimer } from '../clock/clock.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * A clock that moves only when told to. `advance()` fires due timers in time order (ties in the
 * order they were set), setting `now()` to each timer's time before it fires, and lets promise
 * chains settle after each one, so a test reads like a timeline and never sleeps.
 */
export class FakeClock implements Clock {
  #now: number;
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
    const timer = new FakeTimer(at, this.#seq++, callback, this.#timers);
    this.#timers.add(timer);
    // A timer already due fires on the next turn, as a real zero-delay timer would.
    if (at <= this.#now) setImmediate(() => this.#fire(timer));
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
      const next = this.#earliest();
      if (next === undefined || next.at > target) break;
      if (next.at > this.#now) this.#now = next.at;
      this.#fire(next);
      await flush();
    }
    this.#now = target;
    await flush();
  }

  /**
   * Sets the time. Forward, it fires what falls due like `advance()`; backward, it is a wall-clock
   * jump: nothing fires, and timers wait until the clock reaches their time again.
   */
  async set(time: number | Date): Promise<void> {
    const to = toMs(time, 'FakeClock.set');
    if (to >= this.#now) return this.advance(to - this.#now);
    this.#now = to;
    await flush();
  }

  /** Lets pending promise chains settle without moving time. */
  async tick(): Promise<void> {
    await flush();
  }

  #earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.#timers) {
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
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
