/**
 * What piscina runs in each worker thread of a `WorkerThreadDispatcher`: its default export handles
 * one request at a time. It loads the works module once per thread, as soon as the thread starts,
 * and answers `describe` (the works and their settings) and `run` (one task). Nothing here may throw
 * out of the handler or reject unhandled: every failure becomes a reply, so a broken module or work
 * fails its task and leaves the thread serving.
 */
import { workerData } from 'node:worker_threads';
import { InvalidResultError, UnknownWorkError, WorkModuleError } from '../../errors.js';
import { toFrozenJson } from '../../task/json.js';
import type { Task } from '../../task/task.js';
import { liveSignal } from './live-signal.js';
import type { DescribeReply, RunReply, RunRequest, ThreadData, ThreadRequest } from './protocol.js';
import { loadWorkModule } from './work-module.js';
import type { LoadedWorks, ModuleProblem } from './work-module.js';
import { toWire } from './wire-thrown.js';

const { module } = workerData as ThreadData;
let loading: Promise<LoadedWorks | ModuleProblem> | undefined;
const load = (): Promise<LoadedWorks | ModuleProblem> => (loading ??= loadWorkModule(module));
// Start now, so that a thread is warm by the time its first task arrives.
void load();

export default async function handle(request: ThreadRequest): Promise<DescribeReply | RunReply> {
  return request.kind === 'describe' ? await describeWorks() : await run(request);
}

async function describeWorks(): Promise<DescribeReply> {
  const works = await load();
  if ('problem' in works) return { ok: false, problem: works.problem, cause: works.cause === undefined ? undefined : toWire(works.cause) };
  return { ok: true, works: works.described };
}

async function run({ task, parents, port }: RunRequest): Promise<RunReply> {
  const signal = liveSignal(port);
  try {
    const works = await load();
    if ('problem' in works) return { ok: false, error: toWire(new WorkModuleError(module, works.problem, { cause: works.cause })) };
    const work = works.functions.get(task.workId);
    if (work === undefined) return { ok: false, error: toWire(new UnknownWorkError(task.workId)) };
    const frozen = deepFreeze(task);
    return result(await work(frozen.param, { signal, task: frozen, parents: Object.freeze(parents.map(deepFreeze)) }));
  } catch (thrown) {
    return { ok: false, error: toWire(thrown) };
  } finally {
    port.close();
  }
}

/** The result checked here, where a non-JSON value can still be described (it may not even survive the trip). */
function result(value: unknown): RunReply {
  if (value === undefined) return { ok: true, result: undefined };
  try {
    return { ok: true, result: toFrozenJson(value, Infinity, 'result') };
  } catch (error) {
    return { ok: false, error: toWire(new InvalidResultError(error instanceof Error ? error.message : String(error))) };
  }
}

/** The task arrives as a copy; frozen like the one a WorkerPoolDispatcher work gets. */
function deepFreeze(task: Task): Task {
  const freeze = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
    for (const child of Object.values(value)) freeze(child);
    Object.freeze(value);
  };
  freeze(task);
  return task;
}
