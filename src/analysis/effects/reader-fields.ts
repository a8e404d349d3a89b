/**
 * The fields of a cached row that the code uses where it reads the entry. A loader that hands the
 * row to the cache whole (`swr(key, () => db.query.identities.findFirst(…))`) keeps every field of
 * it, but an update of fields that no reader of the entry uses (an identity's `meta` beside
 * readers that take its `id`) changes nothing they see.
 */
import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { isPropertyName, resultHolder } from '../document-fields.js';
import { isNothing } from '../../ts/guards.js';
import { enclosingFunction, outerExpression, parentOf, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import type { ModelRead } from '../facts.js';
import { returnedShapes, rowPaths } from './entry-shapes.js';
import type { Effect } from './model.js';
import { summarize } from './summarize.js';

type CacheReadEffect = Effect & { kind: 'cache-read' };

/** How deep one reader's value is followed through the variables it is handed to (`identity = val`). */
const MAX_HOPS = 4;

/**
 * The property paths the code reads, where it reads the entry, of the row the read's loader reads
 * (`keyAuth.storeEncryptedKeys`; `keyAuth.*` where it puts `keyAuth` to another use), through the
 * value the loader makes of it (`{ key: row, api: row.keyAuth.api }`, see `returnedShapes`); null
 * when the loader makes other reads than one of the data layer right there, or the value is put to
 * any use but a property read, a test, or a local variable used so in turn.
 */
export function readerPaths(ctx: FileContext, effects: readonly Effect[], read: CacheReadEffect): string[] | null {
  const { ts } = ctx;
  const call = read.at ?? read.node;
  if (!ts.isCallExpression(call) || call.getSourceFile() !== ctx.sourceFile) return null;
  const loader = call.arguments.find(
    (a): a is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(a) || ts.isFunctionExpression(a),
  );
  const only = loader ? ownRead(ts, loader, effects) : null;
  const shapes = loader && only ? returnedShapes({ ctx, fn: loader, row: only.node, params: new Map(), depth: 0 }) : null;
  if (!shapes) return null;
  const holder = resultHolder(ts, call);
  const parent = parentOf(holder);
  // A read whose result is dropped (a warm-up) uses nothing of it.
  if (parent && ts.isExpressionStatement(parent)) return [];
  if (!parent || !ts.isVariableDeclaration(parent) || parent.initializer !== holder) return null;
  const paths = bindingUses(ts, parent.name, read.valueIn ?? null, 0);
  return paths === null ? null : rowPaths(shapes, paths);
}

/** Properties of a memoizer's cached function that do not read an entry (`getProjectByIdCached.clear(id)`). */
const NON_READING = new Set(['clear', 'getKey', 'set', 'delete', 'del', 'invalidate', 'remove']);

/** How many uses of a memoizer's cached function across the project are read before giving up. */
const MAX_CALLERS = 32;

/**
 * The property paths the callers of a memoizer's cached function, across the project, read of what
 * it returns (`const project = await getProjectByIdCached(id)`, then `project?.name`), as paths of
 * the row the loader it is given reads (see `ownRead`) through the value it makes of it (see
 * `returnedShapes`); null when the loader reads otherwise, or a use of the function or of its value
 * is not one read so.
 */
export function memoizedReaderPaths(
  ctx: FileContext,
  call: ts.CallExpression,
  loader: { readonly fn: ts.FunctionLikeDeclaration; readonly ctx: FileContext },
): string[] | null {
  const { ts } = ctx;
  const held = outerExpression(ts, call);
  const parent = parentOf(held);
  if (!parent || !ts.isVariableDeclaration(parent) || parent.initializer !== held || !ts.isIdentifier(parent.name)) return null;
  const only = ownRead(loader.ctx.ts, loader.fn, summarize(loader.ctx, loader.fn));
  const shapes = only ? returnedShapes({ ctx: loader.ctx, fn: loader.fn, row: only.node, params: new Map(), depth: 0 }) : null;
  if (!shapes) return null;
  const references = ctx.resolver?.referencesOf?.(parent) ?? null;
  if (!references || references.length > MAX_CALLERS) return null;
  const paths: string[] = [];
  let calls = 0;
  for (const reference of references) {
    const use = parentOf(reference);
    if (use && ts.isPropertyAccessExpression(use) && use.expression === reference && NON_READING.has(use.name.text)) continue;
    if (!use || !ts.isCallExpression(use) || use.expression !== reference) return null;
    const uses = resultUses(ts, use);
    if (uses === null) return null;
    paths.push(...uses);
    calls++;
  }
  // A function no code of the project calls may be called by code outside it.
  return calls === 0 ? null : rowPaths(shapes, paths);
}

/** What the code reads of a call's result: dropped, held by a variable or a destructuring, or an element of `Promise.all([…])` taken apart. */
export function resultUses(ts: TS, call: ts.CallExpression): string[] | null {
  const holder = resultHolder(ts, call);
  const parent = parentOf(holder);
  if (!parent) return null;
  if (ts.isExpressionStatement(parent)) return [];
  if (ts.isVariableDeclaration(parent) && parent.initializer === holder) return bindingUses(ts, parent.name, null, 0);
  return ts.isArrayLiteralExpression(parent) ? elementUses(ts, parent, holder) : null;
}

/** What is read of one element of `const [project, rules] = await Promise.all([getProject(id), getRules(id)])`. */
function elementUses(ts: TS, list: ts.ArrayLiteralExpression, element: ts.Node): string[] | null {
  const index = list.elements.findIndex((e) => e === element);
  if (index < 0 || list.elements.slice(0, index).some((e) => ts.isSpreadElement(e))) return null;
  const all = parentOf(list);
  if (!all || !ts.isCallExpression(all) || all.arguments[0] !== list || !isPromiseAll(ts, all.expression)) return null;
  const holder = resultHolder(ts, all);
  const parent = parentOf(holder);
  if (parent && ts.isExpressionStatement(parent)) return [];
  if (!parent || !ts.isVariableDeclaration(parent) || parent.initializer !== holder || !ts.isArrayBindingPattern(parent.name)) return null;
  const bound = parent.name.elements[index];
  if (!bound || ts.isOmittedExpression(bound)) return [];
  return bound.dotDotDotToken ? null : bindingUses(ts, bound.name, null, 0);
}

function isPromiseAll(ts: TS, callee: ts.Expression): boolean {
  return (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === 'all' &&
    ts.isIdentifier(callee.expression) &&
    callee.expression.text === 'Promise'
  );
}

/** A load with the fields its readers use of it, where the readers' paths say them. */
export function withReaderFields(load: ModelRead, paths: readonly string[] | null): ModelRead {
  // A load whose entry keeps none of its fields (a marker) keeps none whatever readers use.
  if (load.readerFields !== undefined) return load;
  const used = paths ? loadReaderFields(paths, load.via) : undefined;
  // Which row is found depends on the fields its filter holds to a value (`revoked: false`) too.
  return used ? { ...load, readerFields: [...new Set([...used, ...(load.pinned ?? [])])].sort() } : load;
}

/**
 * The fields of a load that the readers' paths use: for the row found, the first property of each
 * path; for rows loaded beside it by a relation (`via`), the properties read under that relation.
 * Undefined where a reader puts the relation's value to another use (`keyAuth.*`).
 */
function loadReaderFields(paths: readonly string[], via: readonly string[] | undefined): string[] | undefined {
  let rest = paths;
  for (const relation of via ?? []) {
    if (rest.includes(`${relation}.*`)) return undefined;
    rest = rest.flatMap((path) => (path.startsWith(`${relation}.`) ? [path.slice(relation.length + 1)] : []));
  }
  if (rest.includes('*')) return undefined;
  return [...new Set(rest.map((path) => path.split('.')[0] ?? path))].sort();
}

/**
 * The one read of the data layer a loader makes in its own body (not a helper's, which may shape
 * the row), with the rows of relations it loads beside it (`with: { keyAuth: true }`); null for none or more.
 */
function ownRead(ts: TS, loader: ts.FunctionLikeDeclaration, effects: readonly Effect[]): Effect | null {
  const within = (node: ts.Node): boolean =>
    node.getSourceFile() === loader.getSourceFile() && node.getStart() >= loader.getStart() && node.getEnd() <= loader.getEnd();
  const inside = effects.filter((e) => e.kind === 'model-read' && within(e.at ?? e.node));
  const roots = inside.filter((e) => e.kind !== 'model-read' || e.via === undefined);
  const [only] = roots;
  if (roots.length !== 1 || !only || only.at !== undefined || inside.some((e) => e.node !== only.node || e.at !== undefined)) return null;
  return only;
}

/** The `const` of a name a function declares in its own body (not a nested function's). */
export function constIn(ts: TS, fn: ts.FunctionLikeDeclaration, name: string): ts.VariableDeclaration | null {
  let found: ts.VariableDeclaration | null = null;
  const visit = (node: ts.Node): void => {
    if (found || (ts.isFunctionLike(node) && node !== fn)) return;
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === name &&
      ts.isVariableDeclarationList(node.parent) &&
      (node.parent.flags & ts.NodeFlags.Const) !== 0
    ) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/**
 * The paths read of the value a binding holds: a name's uses, or the names a destructuring takes
 * (`{ id, name }`) with what is read of each. `valueIn`: the property of the held result that is
 * the value (`val` of `{ val, err }`); its other properties are the read's outcome, not the entry.
 */
function bindingUses(ts: TS, name: ts.BindingName, valueIn: string | null, hops: number): string[] | null {
  if (ts.isIdentifier(name)) return valueIn === null ? nameUses(ts, name, hops) : wrapperUses(ts, name, valueIn, hops);
  if (!ts.isObjectBindingPattern(name)) return null;
  const fields: string[] = [];
  for (const element of name.elements) {
    if (element.dotDotDotToken) return null;
    const key = element.propertyName ? propertyKey(ts, element.propertyName) : ts.isIdentifier(element.name) ? element.name.text : null;
    if (key === null) return null;
    if (valueIn === null) fields.push(...under(key, bindingUses(ts, element.name, null, hops + 1)));
    else if (key === valueIn) {
      const uses = bindingUses(ts, element.name, null, hops);
      if (uses === null) return null;
      fields.push(...uses);
    }
  }
  return fields;
}

/** The paths of a property whose value is used as `uses` says (null: put to another use, `key.*`). */
function under(key: string, uses: readonly string[] | null): string[] {
  return [key, ...(uses === null ? ['*'] : uses).map((path) => `${key}.${path}`)];
}

function propertyKey(ts: TS, name: ts.PropertyName): string | null {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : null;
}

/** The uses of a name declared in a function: each is what `valueUses` says of it (an assignment to the name is none). */
function nameUses(ts: TS, name: ts.Identifier, hops: number): string[] | null {
  if (hops > MAX_HOPS) return null;
  const scope = enclosingFunction(ts, name) ?? name.getSourceFile();
  const fields: string[] = [];
  const state = { isKnown: true };
  const visit = (node: ts.Node): void => {
    if (!state.isKnown) return;
    if (ts.isIdentifier(node) && node.text === name.text && node !== name && !isPropertyName(ts, node) && !isAssigned(ts, node)) {
      const uses = valueUses(ts, node, hops);
      if (uses === null) state.isKnown = false;
      else fields.push(...uses);
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return state.isKnown ? fields : null;
}

/** The uses of a held result whose `valueIn` property is the value: `result.val.id` reads `id`, `result.err` nothing of the value. */
function wrapperUses(ts: TS, name: ts.Identifier, valueIn: string, hops: number): string[] | null {
  const scope = enclosingFunction(ts, name) ?? name.getSourceFile();
  const fields: string[] = [];
  const state = { isKnown: true };
  const visit = (node: ts.Node): void => {
    if (!state.isKnown) return;
    if (ts.isIdentifier(node) && node.text === name.text && node !== name && !isPropertyName(ts, node)) {
      const parent = parentOf(node);
      const uses =
        parent && ts.isPropertyAccessExpression(parent) && parent.expression === node
          ? parent.name.text === valueIn
            ? valueUses(ts, parent, hops)
            : []
          : testOnly(ts, node);
      if (uses === null) state.isKnown = false;
      else fields.push(...uses);
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return state.isKnown ? fields : null;
}

/** The name assigned to (`identity = val`'s `identity`), which is no use of its value. */
function isAssigned(ts: TS, node: ts.Identifier): boolean {
  const parent = parentOf(node);
  return (
    parent !== undefined && ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken
  );
}

/**
 * What one use of the value reads: a property (`identity.id`, `identity['id']`) with what is read
 * of it in turn (`api.keyAuth.storeEncryptedKeys`), nothing (a test: `!identity`, `if (identity)`,
 * `identity ? … : …`, `identity === null`), what a local variable it is handed to reads in turn
 * (`const x = identity`, `const { keyAuth } = api`, `x = identity`), or null (anything else:
 * passed on, returned, spread, a method called on it).
 */
function valueUses(ts: TS, use: ts.Expression, hops: number): string[] | null {
  let value: ts.Node = use;
  let parent = parentOf(value);
  while (
    parent &&
    (ts.isAwaitExpression(parent) || ts.isParenthesizedExpression(parent) || ts.isNonNullExpression(parent) || ts.isAsExpression(parent))
  ) {
    value = parent;
    parent = parentOf(value);
  }
  if (!parent) return null;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === value) {
    const outer = parentOf(parent);
    return outer && ts.isCallExpression(outer) && outer.expression === parent ? null : under(parent.name.text, valueUses(ts, parent, hops));
  }
  if (ts.isElementAccessExpression(parent) && parent.expression === value) {
    const key = ts.isStringLiteralLike(parent.argumentExpression) ? parent.argumentExpression.text : null;
    return key === null ? null : under(key, valueUses(ts, parent, hops));
  }
  if (ts.isVariableDeclaration(parent) && parent.initializer === value) return bindingUses(ts, parent.name, null, hops + 1);
  if (ts.isBinaryExpression(parent) && parent.right === value && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = unwrap(ts, parent.left);
    const declared = ts.isIdentifier(target) ? localDeclaration(ts, target) : null;
    return declared ? nameUses(ts, declared, hops + 1) : null;
  }
  return testOnly(ts, value as ts.Expression);
}

/** Nothing read, for a use that only tests the value; null for any other use. */
function testOnly(ts: TS, use: ts.Expression): string[] | null {
  const parent = parentOf(use);
  if (!parent) return null;
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) return [];
  if ((ts.isIfStatement(parent) && parent.expression === use) || (ts.isConditionalExpression(parent) && parent.condition === use))
    return [];
  if (ts.isBinaryExpression(parent)) {
    const kind = parent.operatorToken.kind;
    const isEquality =
      kind === ts.SyntaxKind.EqualsEqualsEqualsToken ||
      kind === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
      kind === ts.SyntaxKind.EqualsEqualsToken ||
      kind === ts.SyntaxKind.ExclamationEqualsToken;
    const other = parent.left === use ? parent.right : parent.left;
    if (isEquality && isNothing(ts, unwrap(ts, other))) return [];
  }
  return null;
}

/** The declaration of a `let` the function that assigns it declares (`let identity: Identity | undefined`). */
function localDeclaration(ts: TS, target: ts.Identifier): ts.Identifier | null {
  const scope = enclosingFunction(ts, target);
  if (!scope) return null;
  let found: ts.Identifier | null = null;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === target.text &&
      enclosingFunction(ts, node) === scope
    ) {
      found = node.name;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return found;
}
