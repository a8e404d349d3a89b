import type ts from 'typescript';
import { decoratorsOf, lastName } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { SOURCES } from './sources/index.js';
import type { JobProcessor, ModelHook, RelationTarget } from './sources/source.js';

/** The lifecycle hooks, job processors and relations of a set of files, by model and by queue key. */
export interface HookTable {
  readonly hooks: Map<string, ModelHook[]>;
  readonly processors: Map<string, JobProcessor[]>;
  /** Per model, the model each of its named relations reaches. */
  readonly relations: Map<string, Map<string, RelationTarget>>;
}

const NO_RELATIONS: ReadonlyMap<string, RelationTarget> = new Map();

/** What every source finds in the given files: ORM hooks and relations by model, job processors by queue key. */
export function collectHooks(ts: TS, files: readonly ts.SourceFile[]): HookTable {
  const hooks = new Map<string, ModelHook[]>();
  const processors = new Map<string, JobProcessor[]>();
  const relations = new Map<string, Map<string, RelationTarget>>();
  const decorated: (readonly [string, string])[] = [];
  for (const file of files) {
    decorated.push(...decoratedClasses(ts, file));
    for (const source of SOURCES) {
      for (const relation of source.relations?.(ts, file) ?? []) {
        const named = relations.get(relation.model) ?? new Map<string, RelationTarget>();
        named.set(relation.name, { target: relation.target, isMany: relation.isMany });
        relations.set(relation.model, named);
      }
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
  return { hooks, processors, relations };
}

/** The model each named relation of `model` reaches. */
export function relationsIn(table: HookTable, model: string): ReadonlyMap<string, RelationTarget> {
  return table.relations.get(model) ?? NO_RELATIONS;
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
