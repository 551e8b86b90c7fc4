// CPU profiles of the kit's hot paths: `npm run bench -- --profile` (or `node bench/profile.mjs`
// after a build). Runs the kit cases of W1 (add + dispatch under a burst), W2 (add + cancel of
// pending tasks) and W3 (claim, dispatch, completion) under `node --cpu-prof`, then prints the top
// self-time functions, mapped from dist/ back to src/ through the source maps, and the share of
// time per area. Profiles are kept in bench/results/profiles/ for Chrome DevTools or speedscope.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = fileURLToPath(new URL('results/profiles/', import.meta.url));

const runs = (quick) => [
  { name: 'w1-kit', file: 'w1-burst.mjs', args: { impl: 'kit', n: quick ? 20_000 : 100_000, window: 2_000, grace: 3_000 } },
  { name: 'w2-kit', file: 'w2-pending.mjs', args: { impl: 'kit', n: quick ? 50_000 : 200_000 } },
  { name: 'w3-kit', file: 'w3-due-now.mjs', args: { impl: 'kit', n: quick ? 20_000 : 100_000 } },
  { name: 'w3-ideal', file: 'w3-due-now.mjs', args: { impl: 'ideal', n: quick ? 20_000 : 100_000 } },
];

export async function profile({ quick = false, top = 25 } = {}) {
  mkdirSync(outDir, { recursive: true });
  const report = [];
  for (const run of runs(quick)) {
    for (const f of readdirSync(outDir)) if (f.startsWith(`${run.name}.`)) rmSync(`${outDir}${f}`);
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${outDir}`, `--cpu-prof-name=${run.name}.cpuprofile`, '--cpu-prof-interval=100', `bench/cases/${run.file}`, JSON.stringify(run.args)],
      { cwd: root, encoding: 'utf8' },
    );
    const result = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (child.status !== 0 || result === undefined) throw new Error(`${run.name} failed: ${child.stderr}`);
    const summary = summarise(JSON.parse(readFileSync(`${outDir}${run.name}.cpuprofile`, 'utf8')), top);
    report.push(`## ${run.name} ${JSON.stringify(run.args)}`, `result: ${result.slice(7)}`, '', ...summary, '');
  }
  const text = report.join('\n');
  console.log(text);
  writeFileSync(`${outDir}summary.md`, `${text}\n`);
  console.log(`profiles and summary.md in ${outDir}`);
}

/** Self time per function (mapped to src/ where a source map says so) and per area, busy time only. */
export function summarise(cpuprofile, top) {
  const { nodes, samples, timeDeltas } = cpuprofile;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + (timeDeltas[i + 1] ?? 0));
  const byFunction = new Map();
  const byArea = new Map();
  const byLine = new Map();
  for (const node of nodes) {
    const { url } = node.callFrame;
    if (node.positionTicks === undefined || !url.includes('/dist/')) continue;
    for (const { line, ticks } of node.positionTicks) {
      const key = `${locate({ url, lineNumber: line - 1, columnNumber: 0 })}  (in ${node.callFrame.functionName || '(anonymous)'})`;
      byLine.set(key, (byLine.get(key) ?? 0) + ticks);
    }
  }
  const allTicks = nodes.reduce((sum, n) => sum + (n.callFrame.functionName === '(idle)' ? 0 : n.hitCount), 0);
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += us;
    const where = locate(frame);
    const key = `${frame.functionName || '(anonymous)'}  ${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = areaOf(frame, where);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  const lines = [`busy (not idle) CPU time: ${(busy / 1000).toFixed(0)} ms`, '', 'by area:'];
  let other = 0;
  for (const [area, us] of [...byArea].sort((a, b) => b[1] - a[1])) {
    if (us / busy >= 0.005) lines.push(`  ${pct(us)}  ${area}`);
    else other += us;
  }
  lines.push(`  ${pct(other)}  (each area under 0.5%)`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${(us / 1000).toFixed(1).padStart(7)} ms  ${key}`);
  lines.push('', `top ${top} kit source lines by self samples:`);
  for (const [key, ticks] of [...byLine].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${`${((100 * ticks) / allTicks).toFixed(1)}%`.padStart(6)}  ${key}`);
  return lines;
}

const maps = new Map();
/** `src/x.ts:line` for frames in dist/ with a source map, else the url and line as the profile has them (1-based). */
function locate({ url, lineNumber, columnNumber }) {
  if (url === '') return '';
  if (url.startsWith('file://') && url.includes('/dist/')) {
    const file = fileURLToPath(url);
    if (!maps.has(file)) maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : null);
    const map = maps.get(file);
    const entry = map?.findEntry(lineNumber, columnNumber);
    if (entry?.originalSource !== undefined) {
      const source = new URL(entry.originalSource, url);
      // A build elsewhere (KOKUGEN_DIST) maps to its own src/: show it as src/ too.
      return `${relative(root, fileURLToPath(source)).replace(/^.*?(?=src\/)/, '')}:${entry.originalLine + 1}`;
    }
  }
  const shown = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url;
  return `${shown}:${lineNumber + 1}`;
}

function areaOf(frame, where) {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native / builtins)';
  if (where.includes('node_modules/')) return `dep ${where.replace(/.*node_modules\//, '').split('/').slice(0, where.includes('@') ? 2 : 1).join('/')}`;
  if (where.startsWith('src/')) return `kit ${where.replace(/:\d+$/, '')}`;
  if (where.startsWith('node:')) return `node ${where.replace(/:\d+$/, '')}`;
  if (where.includes('bench/')) return 'bench (the case itself)';
  return where;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // node bench/profile.mjs [--quick]            profile the kit cases
  // node bench/profile.mjs some.cpuprofile      summarise an existing profile
  const file = process.argv.slice(2).find((a) => a.endsWith('.cpuprofile'));
  if (file === undefined) await profile({ quick: process.argv.includes('--quick') });
  else console.log(summarise(JSON.parse(readFileSync(file, 'utf8')), 25).join('\n'));
}
