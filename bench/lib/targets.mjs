// The targets of issues 5, 9 and 10, checked on a run's summarised cases (the full kit:
// Scheduler + HeapRepository + WorkerPoolDispatcher; W5/W6 on the TypeORM repository).
import { fmt } from './report.mjs';

/**
 * @param {object} tools reportTools(cases) of the run
 * @param {{ size: object, eld: { n: number, p99: number, max: number }, eldPass: (c: object) => boolean, vsGraphile: (c: object, key: string) => number | null }} run
 */
export function collectTargets({ of, find, med, ratio, twin, worst }, { size, eld, eldPass, vsGraphile }) {
  const targets = [];
  const target = (name, need, value, pass, note = '') => targets.push({ name, need, value, pass, note });
  const kit = (w) => of(w).find((c) => c.impl === 'kit');
  if (kit('W1') !== undefined) {
    const c = kit('W1');
    const r = ratio(c, 'addRate');
    target('W1 add rate', '≥ 0.5× ideal', `${fmt.rate(med(c, 'addRate'))}/s = ${fmt.x(r)}`, r !== null && r >= 0.5);
    const steady = med(c, 'steadyCount');
    if (steady === null || steady === 0) {
      target('W1 steady p99 lateness', '≤ 2× ideal', 'n/a', false, `no task was due after adding finished: adding took ${fmt.ms(med(c, 'addMs'))} ms, longer than the ${size.window} ms window`);
    } else {
      const rl = ratio(c, 'steadyP99', 1);
      target('W1 steady p99 lateness', '≤ 2× ideal', `${fmt.ms(med(c, 'steadyP99'))} ms vs ${fmt.ms(med(find('W1', 'ideal', c.n), 'steadyP99'))} ms = ${fmt.x(rl)}`, rl !== null && rl <= 2, '1 ms floor on both');
    }
    target('W1 early fires', '0', worst(c, 'early'), c.summary.early?.max === 0);
    target('W1 lost', '0', worst(c, 'lost'), c.summary.lost?.max === 0);
  }
  if (kit('W2') !== undefined) {
    const c = kit('W2');
    const rb = ratio(c, 'bytesPerTask');
    target('W2 heap per pending task', '≤ 3× ideal', `${fmt.int(med(c, 'bytesPerTask'))} B vs ${fmt.int(med(find('W2', 'ideal', c.n), 'bytesPerTask'))} B = ${fmt.x(rb)}`, rb !== null && rb <= 3);
    const rc = ratio(c, 'cancelRate');
    target('W2 cancel rate', '≥ 0.3× ideal', `${fmt.rate(med(c, 'cancelRate'))}/s = ${fmt.x(rc)}`, rc !== null && rc >= 0.3);
    const works = c.errors.length === 0 && c.summary.exitsByItself?.all === true;
    if (c.n >= 1_000_000) target('W2 1,000,000 pending work, and the process exits after stop()', 'yes', works ? 'yes' : 'no', works);
    else target('W2 1,000,000 pending', 'yes', `not checked (quick: N=${c.n})`, null);
  }
  if (kit('W3') !== undefined) {
    const c = kit('W3');
    const r = ratio(c, 'runRate');
    target('W3 due-now tasks/s', '≥ 0.5× ideal', `${fmt.rate(med(c, 'runRate'))}/s = ${fmt.x(r)}`, r !== null && r >= 0.5);
    const name = `W3 event-loop delay while ${eld.n.toLocaleString('en')} due tasks drain (issue 9)`;
    const need = `p99 ≤ ${eld.p99} ms, max ≤ ${eld.max} ms`;
    if (c.n < eld.n) target(name, need, `not checked (N=${c.n}; --only=W3 without --quick checks it)`, null);
    else {
      const i = find('W3', 'ideal', c.n);
      target(name, need, `p99 ${fmt.ms(med(c, 'eldP99'))} ms, max ${fmt.ms(med(c, 'eldMax'))} ms (ideal: ${fmt.ms(med(i, 'eldP99'))}, ${fmt.ms(med(i, 'eldMax'))} ms)`, eldPass(c));
    }
    const b = twin(c);
    if (b !== undefined) {
      const rb = med(c, 'runRate') / med(b, 'runRate');
      target('W3 due-now tasks/s vs baseline (issue 9)', '≥ 0.9× baseline', `${fmt.rate(med(c, 'runRate'))}/s vs ${fmt.rate(med(b, 'runRate'))}/s = ${fmt.x(rb)}`, rb >= 0.9);
    }
  }
  if (of('W4').length > 0) {
    const fake = of('W4').find((c) => c.impl === 'kit-fake');
    const real = of('W4').find((c) => c.impl === 'kit');
    target('W4 +30 d on FakeClock fires exactly on time', 'yes', fake?.summary.exact?.all ? 'yes' : 'no', fake?.summary.exact?.all === true);
    target('W4 +30 d on the real clock never early', 'yes', real?.summary.neverEarly?.all ? 'yes' : 'no', real?.summary.neverEarly?.all === true);
  }
  for (const c of of('W5')) {
    if (c.impl === 'postgres') target('W5 PostgreSQL due-now end-to-end', '≥ 2,000/s', `${fmt.rate(med(c, 'dueNowRate'))}/s`, med(c, 'dueNowRate') >= 2_000);
    if (c.impl === 'sqlite-wal-full') {
      target('W5 SQLite (WAL, FULL) scheduleMany', '≥ 10,000/s', `${fmt.rate(med(c, 'manyRate'))}/s`, med(c, 'manyRate') >= 10_000);
      target('W5 SQLite (WAL, FULL) due-now end-to-end', '≥ 5,000/s', `${fmt.rate(med(c, 'dueNowRate'))}/s`, med(c, 'dueNowRate') >= 5_000);
    }
  }
  {
    const pg = of('W6').find((c) => c.impl === 'kokugen-pg');
    const g = of('W6').find((c) => c.impl === 'graphile-worker');
    const versus = (c, key) => {
      const r = vsGraphile(c, key);
      const value = `${fmt.rate(med(c, key))}/s vs ${fmt.rate(med(g, key))}/s = ${fmt.x(r)}`;
      return [g === undefined ? `${fmt.rate(med(c, key))}/s` : value, g === undefined ? null : r !== null && r >= 1, g === undefined ? 'graphile-worker did not run' : ''];
    };
    if (pg !== undefined) {
      target('W6 PostgreSQL due-now end to end, 2 processes (issue 10)', '≥ 1.0× graphile-worker', ...versus(pg, 'dueNowRate'));
      target('W6 PostgreSQL bulk add (issue 10)', '≥ 1.0× graphile-worker', ...versus(pg, 'addRate'));
    }
    const p = of('W6').find((c) => c.impl === 'kokugen-pg pickup');
    if (p !== undefined) {
      const gp = of('W6').find((c) => c.impl === 'graphile-worker pickup');
      const note = gp === undefined ? '' : `graphile-worker: ${fmt.ms(med(gp, 'pickupP50'))} / ${fmt.ms(med(gp, 'pickupP99'))} ms`;
      target('W6 cross-process pickup p50 (issue 10)', '≤ 5 ms', `${fmt.ms(med(p, 'pickupP50'))} ms = ${fmt.x(med(p, 'pickupP50') / 5)} the target`, med(p, 'pickupP50') !== null && med(p, 'pickupP50') <= 5, note);
      target('W6 cross-process pickup p99 (issue 10)', '≤ 20 ms', `${fmt.ms(med(p, 'pickupP99'))} ms = ${fmt.x(med(p, 'pickupP99') / 20)} the target`, med(p, 'pickupP99') !== null && med(p, 'pickupP99') <= 20, note);
    }
    const sq = of('W6').find((c) => c.impl === 'kokugen-sqlite');
    if (sq !== undefined) {
      target('W6 SQLite due-now end to end, 1 process (issue 10)', '≥ 15,000/s', `${fmt.rate(med(sq, 'dueNowRate'))}/s = ${fmt.x(med(sq, 'dueNowRate') / 15_000)} the target`, med(sq, 'dueNowRate') >= 15_000);
    }
    const kits = of('W6').filter((c) => c.args.impl === 'kit' && c.twinOf === undefined);
    if (kits.length > 0) {
      const bad = kits.filter((c) => c.errors.length > 0 || ['lost', 'duplicates', 'unended'].some((key) => c.summary[key]?.max !== 0));
      target('W6 every task ran once and ended, no case failed', 'yes', bad.length === 0 ? 'yes' : `no: ${bad.map((c) => c.impl).join(', ')}`, bad.length === 0);
    }
  }
  return targets;
}
