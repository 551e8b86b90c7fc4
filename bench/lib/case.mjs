// What every case process shares: its arguments, a GC that settles, and the result line the driver reads.

/** The JSON object the driver passed as the first argument. */
export function caseArgs() {
  return JSON.parse(process.argv[2] ?? '{}');
}

/** A full GC, twice, so that weak and finalizable garbage from the first pass is gone too. */
export function fullGc() {
  if (typeof global.gc !== 'function') throw new Error('run the cases with node --expose-gc');
  global.gc();
  global.gc();
}

export function heapUsed() {
  fullGc();
  return process.memoryUsage().heapUsed;
}

export function peakRssMb() {
  return process.resourceUsage().maxRSS / 1024;
}

/** Prints the one result line the driver parses. Nothing else in a case writes to stdout. */
export function emit(result) {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/** Records when each task started relative to its due time; `onAll` fires once every task has started. */
export function recorder(n, now = Date.now) {
  const late = new Float64Array(n);
  const fired = new Uint8Array(n);
  let count = 0;
  let resolveAll;
  const all = new Promise((resolve) => (resolveAll = resolve));
  return {
    late,
    fired,
    all,
    /** Ends the wait for `all` even if some tasks never started (they count as lost). */
    giveUp: () => resolveAll(),
    get count() {
      return count;
    },
    record(i, at) {
      const t = now();
      if (fired[i]++ === 0) {
        late[i] = t - at;
        if (++count === n) resolveAll();
      }
    },
    /** early: started before due; lost: never started; duplicates: started more than once. */
    tally() {
      let early = 0;
      let lost = 0;
      let duplicates = 0;
      for (let i = 0; i < n; i++) {
        if (fired[i] === 0) lost++;
        else if (late[i] < 0) early++;
        if (fired[i] > 1) duplicates++;
      }
      return { early, lost, duplicates };
    },
  };
}
