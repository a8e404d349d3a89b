import type ts from 'typescript';
import { importBindings, isRequire } from '../../ts/imports.js';
import { parentOf, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import { forEachNode } from '../sources/declarations.js';

/** Where a router is mounted: the prefix it is given, and the keys of the router or app it is mounted on. */
interface Mount {
  readonly prefix: string;
  readonly parent: readonly string[];
}

/** Resolves an import specifier of a file to the project file it names (null: a package, nothing). */
export type ModulePath = (specifier: string, fromFile: string) => string | null;

/** The mounts of a project's routers, by the keys of the router mounted (see `routerKeys`). */
export type MountTable = ReadonlyMap<string, readonly Mount[]>;

/**
 * What the text of a file that mounts a router under a prefix contains: `app.use('/api', router)`,
 * `app.route('/users', users)`, `router.use('/a', sub.routes())`, Fastify's `register(plugin, { prefix })`.
 */
export const MOUNT_MARKER = /\.(?:route|use)\s*\(\s*['"`]\/|\.register\s*\([^)]*\bprefix\s*:/;

/** The calls that hand a mounted router over: Koa's `sub.routes()` and `sub.middleware()`. */
const HANDOVERS = new Set(['routes', 'middleware']);

/** The names a top-level binding of a file is exported by: `export const x`, `export { x as y }`, `export default x`, `export = x`, `module.exports = x`. */
function exportNames(ts: TS, file: ts.SourceFile, name: string, declaration: ts.Node): string[] {
  const names: string[] = [];
  const statement = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
    names.push(ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) ? 'default' : name);
  }
  for (const other of file.statements) {
    if (
      ts.isExportAssignment(other) &&
      ts.isIdentifier(unwrap(ts, other.expression)) &&
      unwrap(ts, other.expression).getText(file) === name
    )
      // `export = x` is the whole module, as `module.exports = x` is.
      names.push(...(other.isExportEquals ? ['*', 'default'] : ['default']));
    if (ts.isExportDeclaration(other) && !other.moduleSpecifier && other.exportClause && ts.isNamedExports(other.exportClause)) {
      for (const element of other.exportClause.elements)
        if ((element.propertyName ?? element.name).getText(file) === name) names.push(element.name.text);
    }
    const assigned = ts.isExpressionStatement(other) ? moduleExport(ts, other.expression, name) : null;
    if (assigned) names.push(...assigned);
  }
  return names;
}

/** `module.exports = x` (the whole module: `*` and `default`), `module.exports.y = x` and `exports.y = x` (`y`). */
function moduleExport(ts: TS, expression: ts.Expression, name: string): string[] | null {
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return null;
  const value = unwrap(ts, expression.right);
  const isNamed = ts.isIdentifier(value) ? value.text === name : ts.isFunctionLike(value) && name === '';
  if (!isNamed || !ts.isPropertyAccessExpression(expression.left)) return null;
  const target = expression.left;
  const owner = unwrap(ts, target.expression);
  if (ts.isIdentifier(owner) && owner.text === 'module' && target.name.text === 'exports') return ['*', 'default'];
  const isExports =
    (ts.isIdentifier(owner) && owner.text === 'exports') ||
    (ts.isPropertyAccessExpression(owner) && owner.name.text === 'exports' && ts.isIdentifier(owner.expression));
  return isExports ? [target.name.text] : null;
}

/** The keys of a top-level declaration of a file: its place, and the names other files import it by. */
function declarationKeys(ts: TS, file: ts.SourceFile, name: string, declaration: ts.Node): string[] {
  return [`${file.fileName}#@${String(declaration.pos)}`, ...exportNames(ts, file, name, declaration).map((n) => `${file.fileName}#${n}`)];
}

/** The keys of a function whose parameter is a router (`export default async function routes(fastify)`), by what names it. */
function functionKeys(ts: TS, file: ts.SourceFile, fn: ts.SignatureDeclaration): string[] {
  const place = `${file.fileName}#@${String(fn.pos)}`;
  if (ts.isFunctionDeclaration(fn)) return fn.name ? declarationKeys(ts, file, fn.name.text, fn) : [place, `${file.fileName}#default`];
  const holder = parentOf(fn);
  if (holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) && ts.isSourceFile(holder.parent.parent.parent))
    return declarationKeys(ts, file, holder.name.text, holder);
  if (holder && ts.isExportAssignment(holder)) return [place, `${file.fileName}#default`];
  if (holder && ts.isBinaryExpression(holder)) return [place, ...(moduleExport(ts, holder, '') ?? []).map((n) => `${file.fileName}#${n}`)];
  return [place];
}

/**
 * The keys a router is known by across the project: the place of its declaration in its file and
 * the names its file exports it by; for an imported one, the file and name it is imported from; for
 * a parameter, those of the function it is handed to (a Fastify plugin, `function routes(app)`).
 */
export function routerKeys(ts: TS, identifier: ts.Identifier, modulePath: ModulePath): string[] {
  const file = identifier.getSourceFile();
  const name = identifier.text;
  for (let node = parentOf(identifier); node; node = parentOf(node)) {
    if (ts.isFunctionLike(node) && node.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name))
      return functionKeys(ts, file, node);
    if (!ts.isBlock(node) && !ts.isSourceFile(node)) continue;
    for (const statement of node.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name?.text === name && ts.isSourceFile(node))
        return declarationKeys(ts, file, name, statement);
      if (!ts.isVariableStatement(statement)) continue;
      const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name);
      if (!declaration) continue;
      // `const quotes = require('./quotes')` is an import, read below.
      if (ts.isSourceFile(node) && declaration.initializer && isRequire(ts, declaration.initializer)) break;
      return ts.isSourceFile(node) ? declarationKeys(ts, file, name, declaration) : [`${file.fileName}#@${String(declaration.pos)}`];
    }
  }
  const binding = importBindings(ts, file).get(name);
  const path = binding ? modulePath(binding.module, file.fileName) : null;
  return binding && path !== null ? [`${path}#${binding.imported}`] : [];
}

/** The routers a mount call hands over (`router`, `sub.routes()`), as identifiers. */
function mountedRouters(ts: TS, args: readonly ts.Expression[]): ts.Identifier[] {
  return args.flatMap((arg) => {
    const value = unwrap(ts, arg);
    if (ts.isIdentifier(value)) return [value];
    if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && HANDOVERS.has(value.expression.name.text)) {
      const owner = unwrap(ts, value.expression.expression);
      return ts.isIdentifier(owner) ? [owner] : [];
    }
    return [];
  });
}

/** A literal path prefix (`'/api'`), or null. */
function prefixText(ts: TS, node: ts.Expression | undefined): string | null {
  const value = node ? unwrap(ts, node) : null;
  return value && ts.isStringLiteralLike(value) && value.text.startsWith('/') ? value.text : null;
}

/** `{ prefix: '/users' }` of Fastify's `register(plugin, options)`. */
function registerPrefix(ts: TS, options: ts.Expression | undefined): string | null {
  const object = options ? unwrap(ts, options) : null;
  if (!object || !ts.isObjectLiteralExpression(object)) return null;
  const property = object.properties.find((p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'prefix');
  return property && ts.isPropertyAssignment(property) ? prefixText(ts, property.initializer) : null;
}

/** The router a call is made on, as an identifier (`app` of `app.use(…)`), or null. */
function receiverOf(ts: TS, callee: ts.PropertyAccessExpression): ts.Identifier | null {
  const receiver = unwrap(ts, callee.expression);
  return ts.isIdentifier(receiver) ? receiver : null;
}

/**
 * Every mount of the given files: `app.use('/api', router)` (Express), `app.route('/users', users)`
 * (Hono), `router.use('/a', sub.routes())` (Koa), `fastify.register(plugin, { prefix: '/p' })`.
 */
export function collectMounts(ts: TS, files: readonly ts.SourceFile[], modulePath: ModulePath): MountTable {
  const table = new Map<string, Mount[]>();
  const add = (keys: readonly string[], mount: Mount): void => {
    for (const key of keys) {
      const list = table.get(key) ?? [];
      list.push(mount);
      table.set(key, list);
    }
  };
  const calls: ts.CallExpression[] = [];
  for (const file of files) {
    if (!MOUNT_MARKER.test(file.text)) continue;
    forEachNode(ts, file, (node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.arguments.length > 0) calls.push(node);
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
      const callee = node.expression;
      const [first, ...rest] = node.arguments;
      const isPathMount = (callee.name.text === 'use' || (callee.name.text === 'route' && rest.length === 1)) && first !== undefined;
      const prefix = isPathMount ? prefixText(ts, first) : callee.name.text === 'register' ? registerPrefix(ts, node.arguments[1]) : null;
      if (prefix === null) return;
      const receiver = receiverOf(ts, callee);
      const parent = receiver ? routerKeys(ts, receiver, modulePath) : [];
      const mounted = isPathMount ? mountedRouters(ts, rest) : mountedRouters(ts, first ? [first] : []);
      for (const router of mounted) add(routerKeys(ts, router, modulePath), { prefix, parent });
    });
  }
  // A mounted router handed to a function that registers routes on it (`priceLists(route)`, where
  // `export default (app) => { app.use('/price-lists', r) }`): the function's parameter is that router.
  for (const call of calls) {
    const router = call.arguments.map((a) => unwrap(ts, a)).find((a): a is ts.Identifier => ts.isIdentifier(a));
    const keys = router ? routerKeys(ts, router, modulePath) : [];
    if (!ts.isIdentifier(call.expression) || !keys.some((key) => table.has(key))) continue;
    add(routerKeys(ts, call.expression, modulePath), { prefix: '', parent: keys });
  }
  return table;
}

/** A path under a prefix: `/api` and `/users/:id` → `/api/users/:id`; `/api` and `/` → `/api`. */
function joined(prefix: string, path: string): string {
  const head = prefix.replace(/\/+$/, '');
  if (path === '' || path === '/') return head === '' ? '/' : head;
  return `${head}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** The prefix a router's routes are served under, through every router it is mounted on (the first mount of each), or null. */
export function mountPrefix(table: MountTable, keys: readonly string[], depth = 0): string | null {
  if (depth > 8) return null;
  for (const key of keys) {
    const mount = table.get(key)?.[0];
    if (!mount) continue;
    const outer = mount.parent.includes(key) ? null : mountPrefix(table, mount.parent, depth + 1);
    return outer === null ? mount.prefix : joined(outer, mount.prefix);
  }
  return null;
}

/** A route's path under the prefix its router is mounted at. */
export function prefixedPath(prefix: string | null, path: string | null): string | null {
  return prefix === null || path === null ? path : joined(prefix, path);
}
