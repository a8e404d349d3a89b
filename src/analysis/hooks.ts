import type ts from 'typescript';
import { decoratorsOf, lastName } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { SOURCES } from './sources/index.js';
import type { JobProcessor, ModelHook } from './sources/source.js';

/** The lifecycle hooks and job processors of a set of files, by model and by queue key. */
export interface HookTable {
  readonly hooks: Map<string, ModelHook[]>;
  readonly processors: Map<string, JobProcessor[]>;
}

/** What every source finds in the given files: ORM hooks by model, job processors by queue key. */
export function collectHooks(ts: TS, files: readonly ts.SourceFile[]): HookTable {
  const hooks = new Map<string, ModelHook[]>();
  const processors = new Map<string, JobProcessor[]>();
  const decorated: (readonly [string, string])[] = [];
  for (const file of files) {
    decorated.push(...decoratedClasses(ts, file));
    for (const source of SOURCES) {
      for (const hook of source.hooks?.(ts, file) ?? []) {
        const list = hooks.get(hook.model) ?? [];
        list.push({ ...hook, library: source.id });
        hooks.set(hook.model, list);
      }
      for (const processor of source.processors?.(ts, file) ?? []) {
        for (const key of processor.queues) {
          const list = processors.get(key) ?? [];
          list.push(processor);
          processors.set(key, list);
        }
      }
    }
  }
  // The hooks a decorator of the project registers on its target are the hooks of every class it decorates.
  for (const [decorator, model] of decorated) {
    const registered = hooks.get(decorator) ?? [];
    if (registered.length > 0) hooks.set(model, [...(hooks.get(model) ?? []), ...registered.map((hook) => ({ ...hook, model }))]);
  }
  return { hooks, processors };
}

/** The decorators of a file's classes, as hook-table keys (`@CounterCache`), with the class each decorates. */
function decoratedClasses(ts: TS, file: ts.SourceFile): (readonly [string, string])[] {
  return file.statements.flatMap((statement) => {
    if (!ts.isClassDeclaration(statement) || !statement.name) return [];
    const model = statement.name.text;
    return decoratorsOf(ts, statement).flatMap((decorator) => {
      const name = lastName(ts, decorator.expression);
      return name === null ? [] : [[`@${name}`, model] as const];
    });
  });
}

/** The hooks of `model` (and those of every model) in a table. */
export function hooksIn(table: HookTable, model: string): readonly ModelHook[] {
  return [...(table.hooks.get(model) ?? []), ...(model === '*' ? [] : (table.hooks.get('*') ?? []))];
}
