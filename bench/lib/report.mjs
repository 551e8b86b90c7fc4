// The figures of a bench run: each case's runs summarised (median, min, max per key), and the
// helpers the tables and targets read them with.
import { summarize } from './stats.mjs';

/** Sets `errors` and `summary` on every case from its `runs`. */
export function summarizeCases(cases) {
  for (const c of cases) {
    const ok = c.runs.filter((r) => r.error === undefined);
    c.errors = c.runs.filter((r) => r.error !== undefined).map((r) => r.error);
    c.summary = {};
    const keys = new Set(ok.flatMap((r) => Object.keys(r)));
    for (const key of keys) {
      const values = ok.map((r) => r[key]);
      if (values.every((v) => typeof v === 'boolean')) c.summary[key] = { all: values.every(Boolean), any: values.some(Boolean) };
      else c.summary[key] = summarize(values.map((v) => (v === null ? NaN : v)));
    }
  }
}

export const fmt = {
  rate: (v) => (v === null ? 'n/a' : v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(0)),
  ms: (v) => (v === null ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(1)),
  int: (v) => (v === null ? 'n/a' : v.toFixed(0)),
  x: (v) => (v === null ? 'n/a' : `${v >= 10 ? v.toFixed(0) : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2)}×`),
};

/** Lookups and cells over the summarised cases of one run. */
export function reportTools(cases) {
  const twin = (c) => cases.find((t) => t.twinOf === c.id);
  const find = (workload, impl, n) => cases.find((c) => c.workload === workload && c.impl === impl && (n === undefined || c.n === n));
  const med = (c, key) => c?.summary[key]?.median ?? null;
  /** impl / ideal of the same workload and N, on medians; a 1 ms floor for latencies (Date.now() resolution). */
  const ratio = (c, key, floor = 0) => {
    const ideal = find(c.workload, 'ideal', c.n);
    const a = med(c, key);
    const b = med(ideal, key);
    if (a === null || b === null) return null;
    return Math.max(a, floor) / Math.max(b, floor);
  };
  const cell = (c, key, kind) => {
    const s = c.summary[key];
    if (s === null || s === undefined) return 'n/a';
    if (s.min === s.max) return fmt[kind](s.median);
    return `${fmt[kind](s.median)} (${fmt[kind](s.min)}–${fmt[kind](s.max)})`;
  };
  const worst = (c, key) => (c.summary[key] === null || c.summary[key] === undefined ? 'n/a' : fmt.int(c.summary[key].max));
  const label = (c) => (c.errors.length > 0 ? `${c.impl} ⚠${c.errors.length} failed` : c.impl);
  const of = (w) => cases.filter((c) => c.workload === w);
  return { twin, find, med, ratio, cell, worst, label, of };
}
