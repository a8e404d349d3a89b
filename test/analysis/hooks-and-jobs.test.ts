import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { CallResolver } from '../../src/analysis/context.js';
import { summarize } from '../../src/analysis/effects/summarize.js';
import { fileContext } from '../../src/analysis/extract.js';
import { resolveOptions } from '../../src/analysis/options.js';
import { checkerResolver } from '../../src/analysis/typed-resolver.js';
import { ProjectResolver } from '../../src/project/resolver.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');

/** A fixture app's program, and the two resolvers that follow calls across its files. */
function project(app: string): { program: ts.Program; resolvers: [string, CallResolver][] } {
  const root = resolve(FIXTURES, app);
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(root, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (!config) throw new Error(`no tsconfig in ${app}`);
  const program = ts.createProgram(config.fileNames, config.options);
  const files = program.getSourceFiles().filter((f) => f.fileName.startsWith(root));
  const projectResolver = new ProjectResolver(ts, {
    project: { root, optionsOf: () => config.options, workspaces: new Map() },
    host: ts.sys,
    sourceFileAt: (path) => program.getSourceFile(path),
    tableFiles: () => files,
  });
  return {
    program,
    resolvers: [
      ['the project resolver (CLI)', projectResolver],
      ['the type checker (typed ESLint)', checkerResolver(ts, program)],
    ],
  };
}

/** The handler function of `router.<method>(path, …)` in a file. */
function routeHandler(file: ts.SourceFile, method: string, path: string): ts.Node {
  // Set inside visit, which the compiler does not follow.
  let found = null as ts.Node | null;
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === method &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0]) &&
      node.arguments[0].text === path
    ) {
      found = node.arguments[node.arguments.length - 1] ?? null;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (!found) throw new Error(`no ${method} ${path}`);
  return found;
}

/** The invalidations and library effects of a route handler, one line each: file:line, kind, path, deferred. */
function routeEffects(app: string, resolver: CallResolver, program: ts.Program, method: string, path: string): string[] {
  const file = program.getSourceFile(resolve(FIXTURES, app, 'src/routes.ts'));
  if (!file) throw new Error('no routes.ts');
  const ctx = fileContext(file, { ts, options: resolveOptions(), resolver });
  return summarize(ctx, routeHandler(file, method, path))
    .filter((e) => e.kind === 'invalidate' || e.kind === 'model-write' || e.kind === 'enqueue')
    .map((effect) => {
      const source = effect.ctx.sourceFile;
      const line = source.getLineAndCharacterOfPosition(effect.node.getStart(source)).line + 1;
      const what =
        effect.kind === 'model-write' ? `${effect.model}.${effect.operation}` : effect.kind === 'enqueue' ? effect.target : effect.name;
      const through = effect.through.length > 0 ? ` through ${effect.through.join(' → ')}` : '';
      return `${source.fileName.slice(resolve(FIXTURES, app).length + 1)}:${String(line)} ${effect.kind} ${what}${through}${effect.isDeferred ? ' (deferred)' : ''}`;
    });
}

const sequelizeApp = project('sequelize-hooks-app');

describe.each(sequelizeApp.resolvers)('Sequelize hooks in other files, through %s', (_name, resolver) => {
  const { program } = sequelizeApp;

  it('runs the decorated static hook of the model a handler creates, as part of the write', () => {
    expect(routeEffects('sequelize-hooks-app', resolver, program, 'post', '/websites')).toEqual([
      'src/routes.ts:14 model-write Website.create',
      'src/models/website.ts:19 invalidate deletePattern through Website.afterSave (hook)',
    ]);
  });

  it('runs the init-options and addHook hooks (one through a static helper of another file), and the per-instance hooks of a bulk destroy with individualHooks', () => {
    expect(routeEffects('sequelize-hooks-app', resolver, program, 'post', '/domains')).toEqual([
      'src/routes.ts:39 model-write Domain.create',
      'src/models/domain.ts:19 invalidate deletePattern through Domain.afterCreate (hook)',
    ]);
    expect(routeEffects('sequelize-hooks-app', resolver, program, 'delete', '/domains/:id')).toEqual([
      'src/routes.ts:43 model-write Domain.destroy',
      'src/cache-helper.ts:6 invalidate deletePattern through Domain.afterDestroy (hook) → CacheHelper.clearData',
    ]);
  });

  it('runs the hooks a class decorator of the app adds to the model it decorates, for the events they are added for', () => {
    expect(routeEffects('sequelize-hooks-app', resolver, program, 'post', '/websites/:id/visits')).toEqual([
      'src/routes.ts:58 model-write Visit.create',
      'src/models/counter-cache.ts:11 invalidate deletePattern through Visit.afterCreate (hook)',
    ]);
    expect(routeEffects('sequelize-hooks-app', resolver, program, 'delete', '/visits/:id')).toEqual([
      'src/routes.ts:63 model-write Visit.destroy',
      'src/models/counter-cache.ts:14 invalidate deletePattern through Visit.afterDestroy (hook)',
    ]);
    expect(routeEffects('sequelize-hooks-app', resolver, program, 'delete', '/websites/:id/visits')).toEqual([
      'src/routes.ts:68 model-write Visit.destroy',
    ]);
  });

  it('leaves a model without hooks a write and nothing more', () => {
    expect(routeEffects('sequelize-hooks-app', resolver, program, 'post', '/tags')).toEqual(['src/routes.ts:48 model-write Tag.create']);
  });

  it("runs a model's own method on an instance a finder returns: its this.save() is a write that runs the hooks", () => {
    expect(routeEffects('sequelize-hooks-app', resolver, program, 'post', '/websites/:id/rename')).toEqual([
      'src/models/website.ts:13 model-write Website.save through Website.rename',
      'src/models/website.ts:19 invalidate deletePattern through Website.rename → Website.afterSave (hook)',
    ]);
    expect(routeEffects('sequelize-hooks-app', resolver, program, 'post', '/tags/:id/relabel')).toEqual([
      'src/models/tag.ts:10 model-write Tag.update through Tag.relabel',
    ]);
  });
});

describe('BullMQ jobs in other files', () => {
  const { program, resolvers } = project('bullmq-jobs-app');

  it.each(resolvers)('composes the processor at the enqueue, deferred, through %s', (_name, resolver) => {
    expect(routeEffects('bullmq-jobs-app', resolver, program, 'post', '/reports')).toEqual([
      'src/routes.ts:7 enqueue reports:rebuild',
      'src/workers/reports.worker.ts:7 invalidate deletePattern through Worker (job reports) (deferred)',
    ]);
    expect(routeEffects('bullmq-jobs-app', resolver, program, 'post', '/articles')).toEqual([
      'src/routes.ts:12 enqueue search-index:index',
      'src/workers/search.processor.ts:11 invalidate deletePattern through SearchIndexProcessor.process (job search-index) (deferred)',
    ]);
    expect(routeEffects('bullmq-jobs-app', resolver, program, 'post', '/newsletters')).toEqual([
      'src/routes.ts:17 enqueue newsletters:send',
    ]);
  });
});
