import type ts from 'typescript';
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
  for (const file of files) {
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
  return { hooks, processors };
}

/** The hooks of `model` (and those of every model) in a table. */
export function hooksIn(table: HookTable, model: string): readonly ModelHook[] {
  return [...(table.hooks.get(model) ?? []), ...(model === '*' ? [] : (table.hooks.get('*') ?? []))];
}
