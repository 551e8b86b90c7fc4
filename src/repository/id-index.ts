/** What a task is indexed by: its series, its flow and its key (the fields the index reads). */
interface Indexed {
  readonly id: string;
  readonly seriesId: string | null;
  readonly flowId: string | null;
  readonly key?: string | null;
}

/**
 * The heap repository's indexes of task ids, so that lookups by series or flow read only their
 * own tasks. Sets never stay empty: a key goes with its last id.
 */
export class TaskIndex {
  /** Per series, the ids of its occurrences that are scheduled or dispatched. */
  readonly active = new Map<string, Set<string>>();
  /** Per series id, the ids of every task stored with it, in any state. */
  readonly bySeries = new Map<string, Set<string>>();
  /** Per flow id, the ids of every task stored with it: what the write ending a step reads. */
  readonly byFlow = new Map<string, Set<string>>();
  /**
   * Per dedup key, the ids of tasks stored with it. Not kept up as tasks end or give their key
   * away: whoever reads it checks each task (see `HeapRepository`'s holders) and prunes.
   */
  readonly byKey = new Map<string, Set<string>>();

  /** A task just stored. */
  added(task: Indexed): void {
    if (task.seriesId !== null) {
      addTo(this.active, task.seriesId, task.id);
      addTo(this.bySeries, task.seriesId, task.id);
    }
    if (task.flowId !== null) addTo(this.byFlow, task.flowId, task.id);
    if (task.key !== undefined && task.key !== null) addTo(this.byKey, task.key, task.id);
  }

  /** A task no longer holding `key`. */
  unkeyed(key: string, id: string): void {
    deleteFrom(this.byKey, key, id);
  }

  /** A task scheduled again (a retry of an ended occurrence). */
  activated(task: Indexed): void {
    if (task.seriesId !== null) addTo(this.active, task.seriesId, task.id);
  }

  /** A task that ended or left: no longer its series' scheduled or running occurrence. */
  deactivated(task: Indexed): void {
    if (task.seriesId !== null) deleteFrom(this.active, task.seriesId, task.id);
  }

  /** A task that left the repository's Map. */
  forgotten(task: Indexed): void {
    if (task.seriesId !== null) deleteFrom(this.bySeries, task.seriesId, task.id);
    if (task.flowId !== null) deleteFrom(this.byFlow, task.flowId, task.id);
  }
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let ids = index.get(key);
  if (ids === undefined) index.set(key, (ids = new Set()));
  ids.add(id);
}

function deleteFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}
