/** Sets of task ids by a key (a series id): what the heap repository indexes its series by. */

export function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let ids = index.get(key);
  if (ids === undefined) index.set(key, (ids = new Set()));
  ids.add(id);
}

/** Removes `id`, and the key once its set is empty, so the index never holds empty sets. */
export function deleteFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}
