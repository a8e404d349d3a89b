import type ts from 'typescript';
import { importBindings } from '../../ts/imports.js';
import type { ImportBinding } from '../../ts/imports.js';
import { parentOf, unwrap } from '../../ts/syntax.js';
import { constantOf, staticString } from '../context.js';
import type { FileContext } from '../context.js';
import type { TS } from '../../ts/syntax.js';
import { forEachNode, objectFunctions, propertyValue } from './declarations.js';
import type { JobProcessor, Source } from './source.js';

/** What the text of a file that declares its tasks contains: the SDK's module. */
const MARKER = /@trigger\.dev\/sdk/;
const SDK = /^@trigger\.dev\/sdk(\/v3)?$/;
const TRIGGERS = new Set(['trigger', 'batchTrigger', 'triggerAndWait', 'batchTriggerAndWait']);

/** The queue key a task is known by: its id. */
function taskKey(id: string): string {
  return `trigger.dev:${id}`;
}

type Bindings = ReadonlyMap<string, ImportBinding>;

/** Whether a local name is the SDK's export `name` (`task`, `schedules`, `tasks`). */
function isSdk(bindings: Bindings, local: string, name: string): boolean {
  const binding = bindings.get(local);
  return binding !== undefined && binding.imported === name && SDK.test(binding.module);
}

/**
 * The options object of a task declaration, `task({ id, run })`, `schemaTask(…)` or
 * `schedules.task(…)` with the function imported from the SDK, or null.
 */
function taskOptions(ts: TS, call: ts.CallExpression, bindings: Bindings): ts.ObjectLiteralExpression | null {
  const callee = unwrap(ts, call.expression);
  const isTask = ts.isIdentifier(callee)
    ? isSdk(bindings, callee.text, 'task') || isSdk(bindings, callee.text, 'schemaTask')
    : ts.isPropertyAccessExpression(callee) &&
      callee.name.text === 'task' &&
      ts.isIdentifier(callee.expression) &&
      isSdk(bindings, callee.expression.text, 'schedules');
  const options = isTask && call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  return options && ts.isObjectLiteralExpression(options) ? options : null;
}

/** The tasks a file declares: each `run` function, known by the task's id. */
function triggerTasks(ts: TS, file: ts.SourceFile): JobProcessor[] {
  if (!MARKER.test(file.text)) return [];
  const bindings = importBindings(ts, file);
  const tasks: JobProcessor[] = [];
  forEachNode(ts, file, (node) => {
    if (!ts.isCallExpression(node)) return;
    const options = taskOptions(ts, node, bindings);
    const id = options ? propertyValue(ts, options, 'id') : null;
    const bare = id ? unwrap(ts, id) : null;
    if (!options || !bare || !(ts.isStringLiteral(bare) || ts.isNoSubstitutionTemplateLiteral(bare))) return;
    const run = objectFunctions(ts, file, options).find((f) => f.name === 'run');
    if (!run) return;
    const holder = parentOf(node);
    const name = holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) ? holder.name.text : bare.text;
    tasks.push({ queues: [taskKey(bare.text)], job: null, fn: run.fn, label: `${name}.run` });
  });
  return tasks;
}

/** The id of the task a receiver holds (`convertTask` of `convertTask.trigger(…)`), through its declaration in any file. */
function taskIdOf(ctx: FileContext, receiver: ts.Expression): string | null {
  const { ts } = ctx;
  const bare = unwrap(ts, receiver);
  if (!ts.isIdentifier(bare)) return null;
  const constant = constantOf(ctx, bare);
  const init = constant ? unwrap(ts, constant.init) : null;
  if (!constant || !init || !ts.isCallExpression(init)) return null;
  const options = taskOptions(ts, init, constant.ctx.imports);
  const id = options ? propertyValue(ts, options, 'id') : null;
  return id ? staticString(constant.ctx, id) : null;
}

/**
 * trigger.dev v3: `someTask.trigger(payload)` (and `batchTrigger`, `triggerAndWait`) on a task the
 * project declares with `task({ id, run })`, `schemaTask` or `schedules.task`, and
 * `tasks.trigger('task-id', payload)` by id. The task's `run` runs later, on the task runner:
 * its effects are composed at the trigger, deferred.
 */
export const triggerDev: Source = {
  id: 'trigger.dev',
  precedesHelpers: true,
  classify({ ctx, call, name, receiver }) {
    const { ts } = ctx;
    if (!receiver || !TRIGGERS.has(name)) return null;
    const bare = unwrap(ts, receiver);
    const isTasks = ts.isIdentifier(bare) && isSdk(ctx.imports, bare.text, 'tasks');
    const first = call.arguments[0];
    const id = isTasks ? (first ? staticString(ctx, first) : null) : taskIdOf(ctx, receiver);
    if (id === null) return null;
    const payload = call.arguments[isTasks ? 1 : 0] ?? null;
    return [{ kind: 'enqueue', queue: taskKey(id), job: null, payload }];
  },
  hookMarker: MARKER,
  processors: triggerTasks,
};
