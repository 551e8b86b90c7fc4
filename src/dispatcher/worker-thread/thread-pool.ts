import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Clock, ClockTimer } from '../../clock/clock.js';
import { WorkModuleError } from '../../errors.js';
import type { Task } from '../../task/task.js';
import type { DescribeReply, RunReply, RunRequest, ThreadData, WorkDescription } from './protocol.js';
import { fromWire, toWire } from './wire-thrown.js';

export interface ThreadPoolOptions {
  /** The works module's file: URL. */
  readonly module: string;
  readonly threads: number;
  readonly abortGrace: number;
  readonly clock: Clock;
}

/**
 * Worker threads can only run JavaScript. Built, the entry is the compiled file next to this one;
 * when this file runs as TypeScript source (the tests), the entry is the built copy in dist/, which
 * `npm test` builds first.
 */
function entryUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../../dist/dispatcher/worker-thread/thread-entry.js', here) : new URL('./thread-entry.js', here);
}

/**
 * A fixed set of worker threads (piscina), each loading the works module, each running one task at
 * a time. `run()` settles only when the thread is free again, so a caller that counts runs counts
 * busy threads.
 *
 * Aborting a run is two steps. First the reason goes to the thread, where the work's signal aborts,
 * so a work that honours it stops and its thread serves on. A work still running `abortGrace` ms
 * later has its thread terminated (piscina ends the thread of a run whose own signal aborts, and
 * starts another in its place, so the pool keeps its size). Either way the run rejects with the
 * reason the caller gave.
 *
 * What this file relies on in piscina (checked against 5.3): aborting a run's `signal` terminates
 * the thread running it and starts a replacement up to `minThreads`; a thread that exits or throws
 * fails the runs on it and is replaced; an idle thread's failure is an 'error' event (unhandled, it
 * would throw); `destroy()` terminates every thread and fails their runs; a run goes to an idle
 * thread first, so `describe()` reaches each thread (were it not so, only the check of all threads
 * would be weaker).
 */
export class ThreadPool {
  readonly #piscina: Piscina;
  readonly #module: string;
  readonly #threads: number;
  readonly #abortGrace: number;
  readonly #clock: Clock;

  constructor(options: ThreadPoolOptions) {
    this.#module = options.module;
    this.#threads = options.threads;
    this.#abortGrace = options.abortGrace;
    this.#clock = options.clock;
    this.#piscina = new Piscina({
      filename: entryUrl().href,
      minThreads: options.threads,
      maxThreads: options.threads,
      workerData: { module: options.module } satisfies ThreadData,
      // Between tasks a thread runs a plain event loop, so timers and promises a work left behind
      // still run (piscina's default parks idle threads in Atomics.wait, which freezes them).
      atomics: 'disabled',
      recordTiming: false,
    });
    // A thread that fails with no task on it (an error thrown later by something a work left
    // running) has nothing to fail; piscina replaces it. Report it rather than crash the process.
    this.#piscina.on('error', (error: unknown) => process.emitWarning(`kokugen: a worker thread of ${this.#module} failed between tasks: ${error instanceof Error ? error.message : String(error)}`, 'KokugenWorkerThreadWarning'));
  }

  /**
   * Has every thread load the module and list its works (one request per thread: piscina hands
   * each to an idle thread), so that the first tasks find the threads warm and a module that does
   * not load fails here. Rejects with `ERR_WORK_MODULE`.
   */
  async describe(): Promise<readonly WorkDescription[]> {
    const describeOne = async (): Promise<DescribeReply> => {
      try {
        return (await this.#piscina.run({ kind: 'describe' })) as DescribeReply;
      } catch (error) {
        // The module ended its thread as it loaded (process.exit(), an error thrown from a callback).
        return { ok: false, problem: `ended its thread while loading: ${error instanceof Error ? error.message : String(error)}`, cause: toWire(error) };
      }
    };
    const replies = await Promise.all(Array.from({ length: this.#threads }, describeOne));
    const [first] = replies;
    for (const reply of replies) {
      if (!reply.ok) throw new WorkModuleError(this.#module, reply.problem, reply.cause === undefined ? undefined : { cause: fromWire(reply.cause) });
    }
    const works = first !== undefined && first.ok ? first.works : [];
    if (replies.some((reply) => JSON.stringify(reply) !== JSON.stringify(first))) {
      throw new WorkModuleError(this.#module, 'lists different works in different threads: its default export must not depend on the thread');
    }
    return works;
  }

  /** Runs `task` in a free thread: resolves with its result, rejects with what it threw or with `signal.reason`. */
  run(task: Task, signal: AbortSignal, parents: readonly Task[] = []): Promise<unknown> {
    const { port1, port2 } = new MessageChannel();
    const terminate = new AbortController();
    let timer: ClockTimer | undefined;
    const onAbort = (): void => {
      port1.postMessage(toWire(signal.reason));
      timer = this.#clock.after(this.#abortGrace, () => terminate.abort());
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const request: RunRequest = { kind: 'run', task, parents, port: port2 };
    const settle = (): void => {
      signal.removeEventListener('abort', onAbort);
      timer?.cancel();
      port1.close();
    };
    return this.#piscina.run(request, { transferList: [port2], signal: terminate.signal }).then(
      (reply: RunReply) => {
        settle();
        if (signal.aborted) throw signal.reason;
        if (reply.ok) return reply.result;
        throw fromWire(reply.error);
      },
      (error: unknown) => {
        // Terminated after the grace, or the thread died under the work (process.exit(), an
        // uncaught error in a callback, a resource limit): piscina has started another thread.
        settle();
        throw signal.aborted ? signal.reason : error;
      },
    );
  }

  /** Terminates every thread at once; runs in progress reject. */
  close(): Promise<void> {
    return this.#piscina.destroy();
  }
}
