/**
 * docs/typeorm.md and docs/typeorm-app.md by contract: every ```ts block is type-checked with the project's settings and
 * run — SQLite samples in a temp dir as their working directory, PostgreSQL samples each against a
 * fresh database in DATABASE_URL — and where a ```text block follows, what it printed must match.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { createStore, pgUrl, tempDir } from './stores.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
for (const name of ['typeorm', 'typeorm-app']) describePage(name);

function describePage(name: string): void {
  const out = join(root, 'test', '.samples', name);
  const page = readFileSync(join(root, 'docs', `${name}.md`), 'utf8');
  const samples = [...page.matchAll(/^```ts\n([\s\S]*?)^```\n(?:\n```text\n([\s\S]*?)^```\n)?/gm)].map(([, code = '', printed], i) => ({
    file: join(out, `sample-${i + 1}.ts`),
    code,
    printed: printed?.trimEnd(),
    postgres: code.includes("type: 'postgres'"),
  }));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const sample of samples) writeFileSync(sample.file, sample.code);

  describe(`docs/${name}.md samples`, () => {
    it('has samples, all in ```ts blocks, for both databases', () => {
      expect(page).not.toMatch(/^```(typescript|js|javascript|mjs|tsx)\s*$/m);
      expect(samples.filter((s) => !s.postgres).length).toBeGreaterThan(0);
      expect(samples.filter((s) => s.postgres).length).toBeGreaterThan(0);
    });

    it('type-check with the project settings', () => {
      const config = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path));
      const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
      // As in test/docs-samples.test.ts: samples show shapes, not every name they bind is used.
      const paths = { kokugen: ['./src/index.ts'], 'kokugen/typeorm': ['./src/typeorm.ts'] };
      const program = ts.createProgram({ rootNames: samples.map((s) => s.file), options: { ...options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true, paths, pathsBasePath: root } });
      const files = new Set(samples.map((s) => s.file));
      const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || files.has(d.file.fileName));
      expect(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' })).toBe('');
    }, 60_000);

    for (const [i, sample] of samples.entries()) {
      it.skipIf(sample.postgres && pgUrl === null)(`sample ${i + 1} runs${sample.printed === undefined ? '' : ' and prints what the page shows'}`, async () => {
        const store = sample.postgres ? await createStore('postgres', true) : undefined;
        const dir = tempDir();
        const cwd = process.cwd();
        const printed: string[] = [];
        const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
        vi.stubEnv('DATABASE_URL', store?.location ?? '');
        process.chdir(dir.dir);
        try {
          await import(pathToFileURL(sample.file).href);
        } finally {
          process.chdir(cwd);
          vi.unstubAllEnvs();
          log.mockRestore();
          dir.remove();
          await store?.drop();
        }
        if (sample.printed !== undefined) expect(printed.join('\n')).toBe(sample.printed);
      });
    }
  });
}
