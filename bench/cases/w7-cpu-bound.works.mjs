// The works module of W7 (bench/cases/w7-cpu-bound.mjs): worker threads load it by URL, and the
// main-thread run registers the same function.
export default {
  /** Keeps its thread busy for `ms` of wall time, the way CPU-bound work does, and returns `ms`. */
  spin: (ms) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
    return ms;
  },
};
