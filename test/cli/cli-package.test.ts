import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bin } from './run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> };

describe('the kokugen bin ships', () => {
  it('package.json names a built file that starts with a node shebang', () => {
    expect(pkg.bin).toEqual({ kokugen: './dist/bin/kokugen.js' });
    expect(fileURLToPath(new URL(`../../${pkg.bin['kokugen']}`, import.meta.url))).toBe(bin);
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('npm pack includes the CLI and leaves the demo out', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
    const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
    expect(files).toContain('dist/bin/kokugen.js');
    expect(files).toContain('dist/bin/program.js');
    expect(files.filter((f) => f.startsWith('dist/cli/'))).toEqual([]);
  });
});
