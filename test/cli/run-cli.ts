import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI: `npm test` builds dist/ before vitest runs; alone, run `npm run build` first. */
export const bin = fileURLToPath(new URL('../../dist/bin/kokugen.js', import.meta.url));

export interface CliResult {
  /** The exit status (null if a signal ended it). */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The error code the CLI printed on stderr (`kokugen: ERR_...: message`), if any. */
  readonly code: string | undefined;
}

/**
 * Runs `kokugen ...args` as a child process, as a user would, and collects what it printed.
 * DATABASE_URL is removed from the environment unless `env` sets it, so the host's never leaks in.
 */
export function kokugen(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  if (env['DATABASE_URL'] === undefined) delete childEnv['DATABASE_URL'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, code: /^kokugen: (ERR_[A-Z_]+):/m.exec(stderr)?.[1] }));
  });
}

/** Runs a command that must succeed and returns its parsed `--json` output. */
export async function kokugenJson<T>(args: readonly string[]): Promise<T> {
  const result = await kokugen([...args, '--json']);
  if (result.status !== 0) throw new Error(`kokugen ${args.join(' ')} exited ${String(result.status)}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** A long-running `kokugen` child (the dashboard): `line` waits for a stdout line matching a pattern. */
export interface RunningCli {
  readonly line: (pattern: RegExp) => Promise<RegExpExecArray>;
  /** Sends the signal and resolves with the exit status once the process has exited. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  readonly stderr: () => string;
}

export function startKokugen(args: readonly string[], env: Readonly<Record<string, string>> = {}): RunningCli {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  if (env['DATABASE_URL'] === undefined) delete childEnv['DATABASE_URL'];
  const child = spawn(process.execPath, [bin, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  const waiting = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const check of waiting) check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return {
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(stdout);
          if (match === null) return;
          waiting.delete(check);
          resolve(match);
        };
        waiting.add(check);
        check();
        void exited.then((status) => reject(new Error(`kokugen ${args.join(' ')} exited ${String(status)} before printing ${String(pattern)}: ${stderr}`)));
      }),
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    stderr: () => stderr,
  };
}
