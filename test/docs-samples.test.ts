/**
 * Docs by contract: every ```ts block of the pages below is type-checked and run, so the docs
 * cannot drift from the code.
 *
 * Each block is written to test/.samples/<page>/ and then
 * - type-checked with the project's compiler options, `kokugen`, `kokugen/testing` and
 *   `kokugen/repository`, `kokugen/worker-threads` and `kokugen/dashboard` mapped to src/;
 * - imported. A block that imports 'vitest' or runs a contract suite is a test file: it is imported
 *   while this file is collected, so its describe/it calls register as tests of their own. Any other block is imported
 *   inside a test and must finish (schedulers stopped) within 2 s.
 * A block whose first line is `// file: name.ts` is written under that name, so later blocks of the
 * same page can import it as './name.js'; the others are sample-<n>.ts. A named block is also
 * written as plain JS (name.js), for code that loads it outside vitest: a worker thread's module.
 * A ```text block right after a ts block is what the block prints with console.log, exactly.
 *
 * docs/typeorm.md and docs/performance.md test their own samples.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'test', '.samples');

const pages = [
  'README.md',
  'docs/architecture.md',
  'docs/scheduler.md',
  'docs/repository.md',
  'docs/dispatcher.md',
  'docs/hooks.md',
  'docs/errors.md',
  'docs/testing.md',
  'docs/schedules.md',
  'docs/retries.md',
  'docs/workflows.md',
  'docs/operating.md',
  'docs/dashboard.md',
] as const;

interface Sample {
  readonly page: string;
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
  readonly file: string;
  readonly code: string;
  /** What the block prints, when a ```text block follows it. */
  readonly output: string | undefined;
  readonly isTestFile: boolean;
  readonly named: boolean;
}

function extract(page: string): Sample[] {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  const dir = join(out, page.replace(/\.md$/, '').replace(/[/\\]/g, '-').toLowerCase());
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trimEnd() !== '```ts') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]?.trimEnd() !== '```'; i++) body.push(lines[i] as string);
    let output: string | undefined;
    let next = i + 1;
    while (next < lines.length && lines[next]?.trim() === '') next++;
    if (lines[next]?.trimEnd() === '```text') {
      const printed: string[] = [];
      for (next++; next < lines.length && lines[next]?.trimEnd() !== '```'; next++) printed.push(lines[next] as string);
      output = printed.join('\n');
    }
    const named = /^\/\/ file: ([\w.-]+\.ts)$/.exec(body[0] ?? '')?.[1];
    if (named?.endsWith('.test.ts') === true) throw new Error(`${page}:${start + 1}: a sample file must not end in .test.ts (vitest would collect it)`);
    const code = body.join('\n') + '\n';
    samples.push({
      page,
      line: start + 1,
      file: join(dir, named ?? `sample-${samples.length + 1}.ts`),
      code,
      output,
      isTestFile: /from 'vitest'|\b(repository|dispatcher)Contract\(/.test(code),
      named: named !== undefined,
    });
  }
  return samples;
}

rmSync(out, { recursive: true, force: true });
const samples = pages.flatMap(extract);
for (const sample of samples) {
  mkdirSync(dirname(sample.file), { recursive: true });
  writeFileSync(sample.file, sample.code);
  if (sample.named) {
    const js = ts.transpileModule(sample.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
    writeFileSync(sample.file.replace(/\.ts$/, '.js'), js.outputText);
  }
}

// Test-file samples register their describe/it calls now, while this file is collected.
for (const sample of samples.filter((s) => s.isTestFile)) await import(pathToFileURL(sample.file).href);

const where = (sample: Sample): string => `${sample.page}:${sample.line}`;

describe('docs samples', () => {
  it('finds samples in every page, and no code block that escapes the check', () => {
    for (const page of pages) {
      expect(samples.some((s) => s.page === page), `${page} has no ts sample`).toBe(true);
      const text = readFileSync(join(root, page), 'utf8');
      expect(text, `${page}: use \`\`\`ts for code so it is tested`).not.toMatch(/^```(typescript|js|javascript|mjs|tsx)\s*$/m);
    }
  });

  it('type-check with the project settings', () => {
    const config = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const program = ts.createProgram(
      samples.map((s) => s.file),
      {
        ...parsed.options,
        // A sample shows a shape (e.g. `{ signal, task }` in a work function) more than it uses every name.
        noUnusedLocals: false,
        noUnusedParameters: false,
        noEmit: true,
        paths: { kokugen: ['./src/index.ts'], 'kokugen/testing': ['./src/testing/index.ts'], 'kokugen/repository': ['./src/repository/index.ts'], 'kokugen/worker-threads': ['./src/worker-threads.ts'], 'kokugen/opentelemetry': ['./src/opentelemetry.ts'], 'kokugen/dashboard': ['./src/dashboard.ts'] },
        pathsBasePath: root,
      },
    );
    const sampleFiles = new Set(samples.map((s) => s.file));
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || sampleFiles.has(d.file.fileName));
    const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' });
    expect(text).toBe('');
  }, 60_000);

  for (const sample of samples.filter((s) => !s.isTestFile)) {
    it(`${where(sample)} runs${sample.output === undefined ? '' : ' and prints what the page shows'} (${relative(root, sample.file)})`, async () => {
      const printed: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
      const started = performance.now();
      try {
        await import(pathToFileURL(sample.file).href);
      } finally {
        log.mockRestore();
      }
      expect(performance.now() - started, 'a sample must finish within 2 s').toBeLessThan(2_000);
      if (sample.output !== undefined) expect(printed.join('\n')).toBe(sample.output);
    });
  }
});

describe('docs/errors.md', () => {
  it('lists every error code', () => {
    const text = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    for (const code of Object.values(ErrorCode)) expect(text, `docs/errors.md does not mention ${code}`).toContain(`\`${code}\``);
  });
});
