// Instruction counts per task for the W3 path (add one by one, then drain due-now tasks on the
// heap), under valgrind's callgrind:
//   node bench/instructions.mjs [--build=path/to/dist] [--baseline=path/to/dist] [--n=10000,40000]
// (--build defaults to this checkout's dist/).
//
// Why: on a shared 2-core machine, wall-clock rates of two builds can differ by 2x between runs,
// while instruction counts hardly move with what else the machine does. Node runs
// `--single-threaded`: with V8's background compiler and GC threads the counts of one build varied
// by about 20 % between runs, without them by about 1 %. Each build runs the probe
// at two sizes and in two modes (add only; add then run); the difference between the sizes cancels
// Node's start-up and the JIT's warm-up, so (big - small) / (N_big - N_small) is the cost per task.
// Instructions are not time (cache misses and GC pauses weigh differently): this complements
// `npm run bench`, it does not replace it. Takes a few minutes per build.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const probe = fileURLToPath(new URL('probes/w3-instructions-case.mjs', import.meta.url));
const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const [small, big] = (option('n') ?? '10000,40000').split(',').map(Number);
const builds = [['this build', option('build') === undefined ? `${root}dist` : resolve(option('build'))]];
if (option('baseline') !== undefined) builds.push(['baseline', resolve(option('baseline'))]);

/** Instructions of one probe run, as callgrind counts them. */
function refs(dist, n, mode) {
  const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', probe, dist, String(n), mode], { encoding: 'utf8', cwd: root });
  if (run.error !== undefined) throw new Error(`valgrind did not run (apt-get install -y valgrind): ${run.error.message}`);
  const found = /I\s+refs:\s+([\d,]+)/.exec(run.stderr);
  if (run.status !== 0 || found === null) throw new Error(`callgrind run failed:\n${run.stderr.slice(-2000)}`);
  return Number(found[1].replaceAll(',', ''));
}

const perTask = (dist, mode) => (refs(dist, big, mode) - refs(dist, small, mode)) / (big - small);
const rows = builds.map(([name, dist]) => {
  const add = perTask(dist, 'add');
  const run = perTask(dist, 'run') - add;
  return { name, add, run };
});

console.log(`| build | add, instructions/task | run, instructions/task |`);
console.log(`|---|---|---|`);
for (const { name, add, run } of rows) console.log(`| ${name} | ${Math.round(add)} | ${Math.round(run)} |`);
if (rows.length === 2) {
  const [now, before] = rows;
  console.log(`\nthis ÷ baseline: add ${(now.add / before.add).toFixed(3)}×, run ${(now.run / before.run).toFixed(3)}× (lower is cheaper)`);
}
