import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError } from '../errors.js';
import { isThenable } from '../hooks/hook-runner.js';

type Listener = (payload: never) => unknown;

/**
 * A typed emitter whose listeners cannot hurt the emitter: each one is wrapped so a throw or a
 * rejected promise is handed to `onError` instead of unwinding into the loop (eventemitter3 would
 * otherwise stop at the first throwing listener and throw from `emit`).
 *
 * `on` and `off` are public edges: given the list of event names, they refuse any other name (a
 * typo would otherwise never be called), and they refuse a listener that is not a function.
 */
export class SafeEmitter<Events extends { [K in keyof Events]: object }> {
  readonly #emitter = new EventEmitter();
  readonly #wrapped = new Map<keyof Events, Map<Listener, Listener[]>>();
  readonly #onError: (event: keyof Events, error: unknown) => void;
  readonly #names: ReadonlySet<keyof Events> | undefined;

  /** @param names the events there are; any name goes when absent. */
  constructor(onError: (event: keyof Events, error: unknown) => void, names?: readonly (keyof Events)[]) {
    this.#onError = onError;
    this.#names = names === undefined ? undefined : new Set(names);
  }

  /** Adds a registration of `listener`; with `once`, that registration goes after its first call. */
  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => unknown, once = false): void {
    this.#check(event, listener, once ? 'once' : 'on');
    const wrapper = (payload: Events[E]): void => {
      // A once registration removes itself, not the latest registration of the same listener.
      if (once) this.#remove(event, listener as Listener, wrapper as Listener);
      try {
        const result = listener(payload);
        if (isThenable(result)) result.then(undefined, (error: unknown) => this.#onError(event, error));
      } catch (error) {
        this.#onError(event, error);
      }
    };
    let byListener = this.#wrapped.get(event);
    if (byListener === undefined) this.#wrapped.set(event, (byListener = new Map()));
    const wrappers = byListener.get(listener as Listener);
    if (wrappers === undefined) byListener.set(listener as Listener, [wrapper as Listener]);
    else wrappers.push(wrapper as Listener);
    this.#emitter.on(event as string, wrapper);
  }

  /** Removes one registration of `listener` (the latest), like EventEmitter#off. */
  off<E extends keyof Events>(event: E, listener: (payload: Events[E]) => unknown): void {
    this.#check(event, listener, 'off');
    const wrapper = this.#wrapped.get(event)?.get(listener as Listener)?.at(-1);
    if (wrapper !== undefined) this.#remove(event, listener as Listener, wrapper);
  }

  #check(event: keyof Events, listener: unknown, method: string): void {
    if (this.#names !== undefined && !this.#names.has(event)) {
      throw new InvalidArgumentError(`${method} event`, `one of ${[...this.#names].map(String).join(', ')}`, event);
    }
    if (typeof listener !== 'function') throw new InvalidArgumentError(`${method}(${JSON.stringify(String(event))}) listener`, 'a function', listener);
  }

  #remove(event: keyof Events, listener: Listener, wrapper: Listener): void {
    const byListener = this.#wrapped.get(event);
    const wrappers = byListener?.get(listener);
    const at = wrappers?.lastIndexOf(wrapper) ?? -1;
    if (at < 0) return;
    wrappers?.splice(at, 1);
    if (wrappers?.length === 0) byListener?.delete(listener);
    this.#emitter.off(event as string, wrapper as (...args: unknown[]) => void);
  }

  has(event: keyof Events): boolean {
    return this.#emitter.listenerCount(event as string) > 0;
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    this.#emitter.emit(event as string, payload);
  }

  removeAll(): void {
    this.#emitter.removeAllListeners();
    this.#wrapped.clear();
  }
}
