import { describe } from '../../errors.js';
import { toFrozenJson } from '../../task/json.js';
import type { WorkFunction, WorkOptions } from '../work-registry.js';
import type { WorkDescription } from './protocol.js';

/**
 * One work of a works module: a work function, or an object with the function as `run` and the
 * per-work settings `register()` takes (`concurrency`, `retry`, `timeout`), which must be JSON.
 */
export type ThreadWork = WorkFunction<never, unknown> | ({ readonly run: WorkFunction<never, unknown> } & WorkOptions);

/**
 * What a works module exports as default: work ids to works. Write `export default { ... } satisfies
 * WorkModule` (with `import type`, so the thread does not load kokugen/worker-threads itself).
 */
export type WorkModule = Readonly<Record<string, ThreadWork>>;

/** A module that loaded and has works. */
export interface LoadedWorks {
  readonly functions: ReadonlyMap<string, WorkFunction<unknown>>;
  readonly described: readonly WorkDescription[];
}

/** Why a module cannot serve: `problem` completes "the works module <module> ...". */
export interface ModuleProblem {
  readonly problem: string;
  readonly cause?: unknown;
}

const settingKeys = ['concurrency', 'retry', 'timeout'] as const;

/** Imports the module (in the calling thread) and reads its works. Never rejects. */
export async function loadWorkModule(href: string): Promise<LoadedWorks | ModuleProblem> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(href)) as Record<string, unknown>;
  } catch (error) {
    return { problem: `failed to load: ${error instanceof Error ? error.message : describe(error)}`, cause: error };
  }
  try {
    return readWorks(namespace);
  } catch (error) {
    // A getter on the export threw while it was read.
    return { problem: `could not be read: ${error instanceof Error ? error.message : describe(error)}`, cause: error };
  }
}

function readWorks(namespace: Record<string, unknown>): LoadedWorks | ModuleProblem {
  const works = namespace['default'];
  if (typeof works !== 'object' || works === null || Array.isArray(works)) {
    const named = Object.keys(namespace).filter((key) => key !== 'default' && typeof namespace[key] === 'function');
    const hint = named.length === 0 ? '' : ` (its named exports ${named.join(', ')} are not read: list them in the default export)`;
    return { problem: `has no works: expected a default export object such as { workId: function }, got ${describe(works)}${hint}` };
  }
  const functions = new Map<string, WorkFunction<unknown>>();
  const described: WorkDescription[] = [];
  for (const id of Object.keys(works)) {
    const work = (works as Record<string, unknown>)[id];
    const what = `has an invalid work ${JSON.stringify(id)}`;
    if (typeof work === 'function') {
      functions.set(id, work as WorkFunction<unknown>);
      described.push({ id, options: {} });
      continue;
    }
    if (typeof work !== 'object' || work === null || typeof (work as { run?: unknown }).run !== 'function') {
      return { problem: `${what}: expected a function or { run: function, concurrency?, retry?, timeout? }, got ${describe(work)}` };
    }
    const entry = work as Record<string, unknown>;
    const options: Record<string, unknown> = {};
    for (const key of Object.keys(entry)) {
      if (key === 'run') continue;
      if (!(settingKeys as readonly string[]).includes(key)) return { problem: `${what}: unknown key ${JSON.stringify(key)}, expected run, ${settingKeys.join(', ')}` };
      if (entry[key] !== undefined) options[key] = entry[key];
    }
    try {
      // The settings cross to the main thread, where WorkRegistry checks their values.
      described.push({ id, options: toFrozenJson(options, Infinity, 'settings') as WorkOptions });
    } catch (error) {
      return { problem: `${what}: ${error instanceof Error ? error.message : describe(error)}`, cause: error };
    }
    functions.set(id, entry['run'] as WorkFunction<unknown>);
  }
  return { functions, described };
}
