import type ts from 'typescript';
import { staticString } from '../context.js';
import { unwrap } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import type { TS } from '../../ts/syntax.js';
import {
  constructed,
  declarationOf,
  decoratorCall,
  forEachNode,
  functionArgument,
  nameKeys,
  propertyValue,
  typeReference,
} from './declarations.js';
import type { JobProcessor, Source } from './source.js';

/** What the text of a file that holds its processors contains: `new Worker(…)`, or a `@Processor(…)` decorator. */
const MARKER = /\bnew[\s(]+Worker\b|@[\s(]*(?:[\w$]+\s*\.\s*)*Processor\b/;

const QUEUE_MODULES = /^(bullmq|bull|@nestjs\/bullmq|@nestjs\/bull|bee-queue)$/;
const QUEUE_CLASSES = new Set(['Queue', 'Bull', 'BullQueue']);
const INJECT = new Set(['InjectQueue']);
const PROCESSOR = new Set(['Processor']);
const PROCESS = new Set(['Process']);

/** The name argument of `@Processor('emails')`, `@Processor({ name: 'emails' })`, `@InjectQueue(QUEUES.emails)`. */
function nameArgument(ts: TS, argument: ts.Expression | undefined): ts.Expression | null {
  if (!argument) return null;
  const bare = unwrap(ts, argument);
  if (ts.isObjectLiteralExpression(bare)) return propertyValue(ts, bare, 'name');
  return bare;
}

/** The queue a receiver is: `@InjectQueue('emails')`, `new Queue('emails')`; null when it is no queue, [] when its name is unknown. */
function queueOf(ctx: FileContext, receiver: ts.Expression): string[] | null {
  const { ts } = ctx;
  const declared = declarationOf(ctx, receiver);
  if (!declared) return null;
  const injected = decoratorCall(ts, declared.decorators, INJECT);
  if (injected) {
    const name = nameArgument(ts, injected.arguments[0]);
    return name ? nameKeys(ctx, ts, ctx.sourceFile, name) : [];
  }
  const made = declared.initializer ? constructed(ts, declared.initializer) : null;
  const module = made?.root ? declared.ctx.importOf(made.root)?.module : undefined;
  if (made && ts.isNewExpression(made.call) && QUEUE_CLASSES.has(made.name) && (module === undefined || QUEUE_MODULES.test(module))) {
    const first = made.call.arguments?.[0];
    return first ? nameKeys(declared.ctx, ts, declared.ctx.sourceFile, first) : [];
  }
  const type = typeReference(ts, declared.type);
  const typeModule = type ? ctx.importOf(type.root)?.module : undefined;
  return type?.name === 'Queue' && typeModule !== undefined && QUEUE_MODULES.test(typeModule) ? [] : null;
}

/** `new Worker('emails', processor)`, `@Processor('emails')` classes: `process(job)` (WorkerHost) and `@Process('send')` methods. */
function bullProcessors(ts: TS, file: ts.SourceFile): JobProcessor[] {
  if (!MARKER.test(file.text)) return [];
  const processors: JobProcessor[] = [];
  forEachNode(ts, file, (node) => {
    if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(unwrap(ts, node.expression)) &&
      (unwrap(ts, node.expression) as ts.Identifier).text === 'Worker'
    ) {
      const [queue, handler] = node.arguments ?? [];
      const fn = functionArgument(ts, file, handler);
      if (queue && fn) processors.push({ queues: nameKeys(null, ts, file, queue), job: null, fn, label: 'Worker' });
    }
    if (ts.isClassDeclaration(node) && node.name) {
      const decorator = decoratorCall(ts, ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [], PROCESSOR);
      const queue = decorator ? nameArgument(ts, decorator.arguments[0]) : null;
      if (queue) {
        const queues = nameKeys(null, ts, file, queue);
        for (const member of node.members) {
          if (!ts.isMethodDeclaration(member) || !member.body) continue;
          const method = member.name.getText(file);
          const process = decoratorCall(ts, ts.getDecorators(member) ?? [], PROCESS);
          if (process) {
            const job = nameArgument(ts, process.arguments[0]);
            const jobName = job && (ts.isStringLiteral(job) || ts.isNoSubstitutionTemplateLiteral(job)) ? job.text : null;
            processors.push({ queues, job: jobName, fn: member, label: `${node.name.text}.${method}` });
          } else if (method === 'process') {
            processors.push({ queues, job: null, fn: member, label: `${node.name.text}.${method}` });
          }
        }
      }
    }
  });
  return processors;
}

/**
 * BullMQ, Bull and their NestJS modules: `queue.add(name, data)` / `addBulk(…)` on a queue made
 * by `new Queue('emails')` or injected by `@InjectQueue('emails')`. The processors (`new
 * Worker('emails', fn)`, the `@Processor('emails')` class's `process(job)` or `@Process(name)`
 * methods) run later: their effects are composed at the enqueue, deferred.
 */
export const bullmq: Source = {
  id: 'bullmq',
  precedesHelpers: true,
  classify({ ctx, call, name, receiver }) {
    if (!receiver || (name !== 'add' && name !== 'addBulk')) return null;
    const queue = queueOf(ctx, receiver);
    if (queue === null) return null;
    const first = call.arguments[0];
    const job = name === 'add' && first && call.arguments.length >= 2 ? staticString(ctx, first) : null;
    const display = queue.find((q) => !q.startsWith('expr:')) ?? queue[0] ?? null;
    return [
      {
        kind: 'enqueue',
        queue: display,
        job,
        payload: call.arguments[name === 'add' && call.arguments.length >= 2 ? 1 : 0] ?? null,
        queueKeys: queue,
      },
    ];
  },
  hookMarker: MARKER,
  processors: bullProcessors,
};
