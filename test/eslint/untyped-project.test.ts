import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import * as eslint9 from 'eslint9';
import * as eslint10 from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../../src/eslint.js';
import { writeProject } from '../support/project.js';

/** The NestJS app of the fixture (CommonJS, cache-manager, controller and service in separate files), copied to be edited. */
const fixture = resolve(import.meta.dirname, '../../fixtures/nest-cache-manager-app');
const copy = (path: string): string => readFileSync(join(fixture, path), 'utf8');
const SERVICE = 'src/quotes/quotes.service.ts';
const CONTROLLER = 'src/quotes/quotes.controller.ts';
const service = copy(SERVICE);
const FORGETS = '    return prisma.quote.update({ where: { id }, data: { title } });\n';
const INVALIDATES =
  "    const quote = await prisma.quote.update({ where: { id }, data: { title } });\n    await this.cache.del('quotes:list');\n    return quote;\n";

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function app(): string {
  const root = writeProject('untyped', {
    'package.json': copy('package.json'),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'commonjs', strict: true, experimentalDecorators: true },
      include: ['src'],
    }),
    'src/prisma.ts': copy('src/prisma.ts'),
    [CONTROLLER]: copy(CONTROLLER),
    [SERVICE]: service,
  });
  roots.push(root);
  return root;
}

interface Linted {
  filePath: string;
  messages: { line: number; column: number; ruleId: string | null; severity: number; message: string }[];
}
interface Eslint {
  lintFiles(patterns: string[]): Promise<Linted[]>;
  lintText(text: string, options: { filePath: string }): Promise<Linted[]>;
}
type EslintModule = { ESLint: new (options: Record<string, unknown>) => Eslint };

const said = (root: string, results: Linted[]): string[] =>
  results.flatMap((r) =>
    r.messages.map(
      (m) => `${r.filePath.slice(root.length + 1)}:${String(m.line)}:${String(m.column)} ${m.ruleId ?? ''} ${String(m.severity)}`,
    ),
  );

const FINDING = `${CONTROLLER}:19:3 cache-audit/require-dependent-invalidation 2`;

describe.each([
  ['ESLint 10', eslint10 as unknown as EslintModule],
  ['ESLint 9', eslint9 as unknown as EslintModule],
])('without type information, with %s', (_name, eslint) => {
  const linter = (root: string): Eslint =>
    new eslint.ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended],
    });

  it('follows the controller’s call into the service’s file, and says what the CLI says', async () => {
    const root = app();
    const results = await linter(root).lintFiles(['src']);
    expect(said(root, results)).toEqual([FINDING]);
    const message = results.flatMap((r) => r.messages)[0]?.message ?? '';
    expect(message.split('\n')).toEqual([
      'QuotesController.update leaves a cached family stale: `quotes:list`.',
      '- `quotes:list` holds Quote (a list, count or aggregate; read at src/quotes/quotes.service.ts:11, filled at src/quotes/quotes.service.ts:11, ttl 300 s); it writes Quote (update) at src/quotes/quotes.service.ts:21: delete `quotes:list`.',
      "Invalidate it, or `@NoCacheInvalidation('reason')` if it need not be fresh.",
    ]);
  });

  it('follows the service as edited on disk between two lints of the controller in one ESLint', async () => {
    const root = app();
    const eslintInstance = linter(root);
    const controller = join(root, CONTROLLER);
    const lintController = async (): Promise<string[]> =>
      said(root, await eslintInstance.lintText(readFileSync(controller, 'utf8'), { filePath: controller }));
    expect(said(root, await eslintInstance.lintFiles(['src']))).toEqual([FINDING]);
    // The service now invalidates the list on update: the controller is clean.
    writeFileSync(join(root, SERVICE), service.replace('  update(', '  async update(').replace(FORGETS, INVALIDATES));
    expect(await lintController(), 'the service invalidates').toEqual([]);
    // And forgets it again.
    writeFileSync(join(root, SERVICE), service);
    expect(await lintController(), 'the service forgets again').toEqual([FINDING]);
    // The edited service linted first (ESLint reads a run's files in any order), then the controller.
    const servicePath = join(root, SERVICE);
    writeFileSync(servicePath, service.replace('  update(', '  async update(').replace(FORGETS, INVALIDATES));
    expect(said(root, await eslintInstance.lintText(readFileSync(servicePath, 'utf8'), { filePath: servicePath }))).toEqual([]);
    expect(await lintController(), 'the service linted first').toEqual([]);
    // A whole run after the next edit reads it too.
    writeFileSync(servicePath, service);
    expect(said(root, await eslintInstance.lintFiles(['src'])), 'a whole run').toEqual([FINDING]);
  });
});
