// Running the cases: each in a fresh `node --expose-gc` process, its RESULT line parsed; a case
// that gives no result in time is killed, one that does not exit by itself soon after is noted.
import { spawn } from 'node:child_process';

/** @param {{ root: string, benchDir: string, snapshot: string, caseTimeout: number, exitBound: number }} where */
export function runCase(c, { root, benchDir, snapshot, caseTimeout, exitBound }) {
  return new Promise((resolve) => {
    const started = performance.now();
    const env = { ...process.env, KOKUGEN_DIST: c.dist ?? snapshot };
    const child = spawn(process.execPath, ['--expose-gc', `${benchDir}cases/${c.file}`, JSON.stringify(c.args)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let result;
    let resultAt;
    let exitTimer;
    const killTimer = setTimeout(() => {
      stderr += `\n[bench] killed after ${caseTimeout} ms`;
      child.kill('SIGKILL');
    }, caseTimeout);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (result === undefined && line !== undefined) {
        result = JSON.parse(line.slice(7));
        resultAt = performance.now();
        exitTimer = setTimeout(() => {
          result.exitsByItself = false;
          child.kill('SIGKILL');
        }, exitBound);
      }
    });
    child.stderr.on('data', (chunk) => {
      if (stderr.length < 20_000) stderr += chunk;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      clearTimeout(exitTimer);
      const wallMs = performance.now() - started;
      if (result === undefined) {
        resolve({ error: `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no result'}`, wallMs });
        return;
      }
      if (result.exitsByItself === undefined) {
        result.exitsByItself = true;
        result.exitMs = performance.now() - resultAt;
      }
      resolve({ ...result, wallMs });
    });
  });
}


/** Every case once; a case and its baseline twin swap places every other round, so neither always runs second. */
export function roundOrder(cases, round) {
  const order = [...cases];
  if (round % 2 === 1) return order;
  for (let i = 0; i + 1 < order.length; i++) {
    if (order[i + 1].twinOf === order[i].id) {
      [order[i], order[i + 1]] = [order[i + 1], order[i]];
      i++;
    }
  }
  return order;
}
