import { receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { fromWire } from './wire-thrown.js';
import type { WireThrown } from './wire-thrown.js';

const abortedOf = (signal: AbortSignal): boolean => Reflect.get(AbortSignal.prototype, 'aborted', signal) as boolean;

/**
 * The AbortSignal a work gets in its thread. It aborts when the main side posts the reason on
 * `port`. The 'message' event that brings it runs only when the work yields to the thread's event
 * loop, which a CPU-bound loop never does; so reading `aborted` or `reason`, or calling
 * `throwIfAborted()`, also takes a waiting reason off the port at once, and such a loop can stop
 * by checking its signal as it goes.
 */
export function liveSignal(port: MessagePort): AbortSignal {
  const controller = new AbortController();
  const { signal } = controller;
  const abort = (message: unknown): void => {
    if (!abortedOf(signal)) controller.abort(fromWire(message as WireThrown));
  };
  const poll = (): void => {
    if (abortedOf(signal)) return;
    const received = receiveMessageOnPort(port);
    if (received !== undefined) abort(received.message);
  };
  port.on('message', abort);
  Object.defineProperties(signal, {
    aborted: { configurable: true, get: () => (poll(), abortedOf(signal)) },
    reason: { configurable: true, get: () => (poll(), Reflect.get(AbortSignal.prototype, 'reason', signal) as unknown) },
    throwIfAborted: {
      configurable: true,
      writable: true,
      value: (): void => {
        poll();
        AbortSignal.prototype.throwIfAborted.call(signal);
      },
    },
  });
  return signal;
}
