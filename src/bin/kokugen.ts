#!/usr/bin/env node
/**
 * The `kokugen` command (package.json `bin`). Everything it does is in program.ts; this file only
 * binds it to the process. The exit status is set, not forced with process.exit(), so that output
 * still being written to a pipe is not cut off.
 */
import { SystemClock } from '../clock/system-clock.js';
import { run } from './program.js';

process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  clock: new SystemClock(),
  env: process.env,
  stopped: () => new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  }),
});
