import type { Series } from '../schedule/series.js';
import type { Task } from '../task/task.js';

/**
 * Human output: aligned tables and key/value blocks, times in ISO 8601 (UTC), so that what a
 * person reads can be pasted back into `--at`. Scripts use `--json`, which prints the values as
 * the library returns them (times as epoch ms).
 */

export function iso(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}

/** A span of ms as a person reads it, to the second: `2d3h`, `5m12s`, `0s`. */
export function duration(ms: number): string {
  const units = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const;
  let rest = Math.max(0, Math.floor(ms / 1_000) * 1_000);
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return parts.slice(0, 2).join('') || '0s';
}

/** Columns padded to their widest cell; the last column is not padded, so no line ends in spaces. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** `key  value` lines, keys aligned. */
export function fields(pairs: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${value}`.trimEnd()).join('\n') + '\n';
}

export function taskTable(tasks: readonly Task[]): string {
  if (tasks.length === 0) return 'no tasks\n';
  return table(
    ['ID', 'WORK', 'STATE', 'SCHEDULED AT', 'ATTEMPT', 'ENDED AT', 'SERIES'],
    tasks.map((t) => [t.id, t.workId, t.state, iso(t.scheduledAt), String(t.attempt), iso(t.endedAt), t.seriesId ?? '-']),
  );
}

const json = (value: unknown): string => JSON.stringify(value);

export function taskFields(t: Task): string {
  const pairs: Array<[string, string]> = [
    ['id', t.id],
    ['work', t.workId],
    ['state', t.state],
    ['scheduled at', iso(t.scheduledAt)],
    ['priority', String(t.priority)],
    ['created at', iso(t.createdAt)],
    ['dispatched at', iso(t.dispatchedAt)],
    ['ended at', iso(t.endedAt)],
    ['attempt', String(t.attempt)],
    ['owner', t.owner ?? '-'],
    ['recovered', t.recovered ? 'yes' : 'no'],
    ['series', t.seriesId ?? '-'],
    ['deadline', iso(t.deadline)],
    ['timeout', t.timeout === null ? '-' : `${t.timeout} ms`],
    ['retry', t.retry === null ? '-' : `${t.retry.attempts} attempts, ${t.retry.backoff} from ${t.retry.delay} ms (max ${t.retry.maxDelay} ms, jitter ${t.retry.jitter})`],
    ['meta', json(t.meta)],
    ['param', json(t.param)],
    ['result', json(t.result)],
    ['error', t.error === null ? '-' : `${t.error.name}: ${t.error.message}`],
  ];
  for (const e of t.errors) pairs.push([`attempt ${e.attempt} failed`, `${iso(e.at)}  ${e.name}: ${e.message}`]);
  return fields(pairs);
}

/** A schedule as a person writes it: the cron expression and zone, or the interval. */
export function describeSchedule(series: Series): string {
  const spec = series.schedule;
  if (spec.kind === 'cron') return `cron ${String(spec['expression'])} (${String(spec['timezone'])})`;
  if (spec.kind === 'every') return `every ${String(spec['ms'])} ms`;
  return `${spec.kind} ${json(spec)}`;
}

export function seriesTable(rows: ReadonlyArray<{ readonly series: Series; readonly next: Task | undefined }>): string {
  if (rows.length === 0) return 'no series\n';
  return table(
    ['ID', 'WORK', 'ENABLED', 'NEXT AT', 'MISFIRE', 'SCHEDULE'],
    rows.map(({ series, next }) => [series.id, series.workId, series.enabled ? 'yes' : 'no', next === undefined ? '-' : iso(next.scheduledAt), series.misfire, describeSchedule(series)]),
  );
}
