import type ts from 'typescript';
import { staticString } from '../context.js';
import { propertyNameText, unwrap } from '../../ts/syntax.js';
import type { FileContext, FileSurface } from '../context.js';
import type { RouteHandler } from '../facts.js';
import { codeHandler, functionOf } from './code-handler.js';
import type { FrameworkModule } from './framework.js';

const GRAPHQL_MODULE = /(^|\/|@)(graphql|apollo|mercurius|graphql-yoga|pothos|type-graphql|nexus)([/-]|$)/;
const OPERATIONS: Readonly<Record<string, string>> = { Mutation: 'MUTATION', Query: 'QUERY' };
/** Pothos: `builder.mutationField(name, t => t.field({ resolve }))`, `builder.mutationType({ fields })`, `builder.mutationFields(t => ({ … }))`. */
const POTHOS_FIELD: Readonly<Record<string, string>> = { mutationField: 'Mutation', queryField: 'Query' };
const POTHOS_FIELDS: Readonly<Record<string, string>> = {
  mutationType: 'Mutation',
  queryType: 'Query',
  mutationFields: 'Mutation',
  queryFields: 'Query',
};

/** Whether the file can hold GraphQL resolver maps or Pothos fields. */
function isGraphqlMapFile(ctx: FileSurface): boolean {
  const text = ctx.sourceText;
  return /\b(Mutation|Query)\s*:/.test(text) || /\.(mutation|query)(Field|Fields|Type)\s*\(/.test(text);
}

/** Whether an object with `Mutation`/`Query` keys is a resolver map: by its name, its type, or the file's imports. */
function isResolverMap(ctx: FileContext, object: ts.ObjectLiteralExpression): boolean {
  const { ts } = ctx;
  // Apollo Client's local-state resolvers run in the browser, on its cache.
  if (ctx.importsModule((m) => m === '@apollo/client' || m.startsWith('@apollo/client/'))) return false;
  let node: ts.Node = object;
  while (ts.isAsExpression(node.parent) || ts.isSatisfiesExpression(node.parent) || ts.isParenthesizedExpression(node.parent)) {
    if (
      (ts.isAsExpression(node.parent) || ts.isSatisfiesExpression(node.parent)) &&
      /Resolvers\b/.test(node.parent.type.getText(ctx.sourceFile))
    )
      return true;
    node = node.parent;
  }
  const parent = node.parent;
  // graphql-shield's `shield({ Mutation: { createDraft: isAuthenticated } })` names rules, not resolvers.
  if (ts.isCallExpression(parent) && ts.isIdentifier(parent.expression) && importedNameIs(ctx, parent.expression, 'shield')) return false;
  const isNamed = (name: ts.Node): boolean => /resolvers?$/i.test(name.getText(ctx.sourceFile));
  if (
    ts.isVariableDeclaration(parent) &&
    (isNamed(parent.name) || (parent.type !== undefined && /Resolvers\b/.test(parent.type.getText(ctx.sourceFile))))
  )
    return true;
  if (ts.isPropertyAssignment(parent) && isNamed(parent.name)) return true;
  return ctx.importsModule((m) => GRAPHQL_MODULE.test(m) && m !== 'graphql-shield');
}

function importedNameIs(ctx: FileContext, identifier: ts.Identifier, name: string): boolean {
  return (ctx.importOf(identifier.text)?.imported ?? identifier.text) === name;
}

/** The function of a resolver entry: a method, a function, a reference, or `{ resolve }` (with `subscribe` and the like). */
function resolverFunction(ctx: FileContext, member: ts.ObjectLiteralElementLike): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  if (ts.isMethodDeclaration(member)) return member;
  if (ts.isShorthandPropertyAssignment(member)) return functionOf(ctx, member.name);
  if (!ts.isPropertyAssignment(member)) return null;
  const value = unwrap(ts, member.initializer);
  if (ts.isObjectLiteralExpression(value)) return resolveOf(ctx, value);
  return functionOf(ctx, value);
}

/** The `resolve` of a field options object (`t.field({ type, resolve })`). */
function resolveOf(ctx: FileContext, object: ts.ObjectLiteralExpression): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  const resolve = object.properties.find((p) => p.name !== undefined && propertyNameText(ts, p.name) === 'resolve');
  return resolve ? resolverFunction(ctx, resolve) : null;
}

/** The first `{ … resolve … }` object inside an expression (`t => t.field({ resolve })`, `t.prismaField({ … })`). */
function fieldResolve(ctx: FileContext, expression: ts.Node): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  let found: ts.FunctionLikeDeclaration | null = null;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isObjectLiteralExpression(node)) {
      found = resolveOf(ctx, node);
      if (found) return;
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

/** The object of fields a Pothos `fields: t => ({ … })` returns. */
function fieldsObject(ctx: FileContext, expression: ts.Expression): ts.ObjectLiteralExpression | null {
  const { ts } = ctx;
  const node = unwrap(ts, expression);
  if (!ts.isArrowFunction(node) && !ts.isFunctionExpression(node)) return null;
  const body = ts.isBlock(node.body) ? node.body.statements.find(ts.isReturnStatement)?.expression : node.body;
  const object = body ? unwrap(ts, body) : null;
  return object && ts.isObjectLiteralExpression(object) ? object : null;
}

interface Field {
  readonly type: string;
  readonly name: string;
  readonly nameNode: ts.Node;
  readonly fn: ts.FunctionLikeDeclaration | null;
}

function pothosFields(ctx: FileContext, call: ts.CallExpression): Field[] {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const single = POTHOS_FIELD[callee.name.text];
  const [first, second] = call.arguments;
  if (single && first && second) {
    const name = staticString(ctx, first);
    return name === null ? [] : [{ type: single, name, nameNode: first, fn: fieldResolve(ctx, second) }];
  }
  const many = POTHOS_FIELDS[callee.name.text];
  if (!many || !first) return [];
  const options = unwrap(ts, first);
  const fieldsProperty = ts.isObjectLiteralExpression(options)
    ? options.properties.find((p) => p.name !== undefined && propertyNameText(ts, p.name) === 'fields')
    : undefined;
  const fields =
    fieldsProperty && ts.isPropertyAssignment(fieldsProperty) ? fieldsObject(ctx, fieldsProperty.initializer) : fieldsObject(ctx, first);
  if (!fields) return [];
  return fields.properties.flatMap((p) => {
    const name = p.name ? propertyNameText(ts, p.name) : null;
    return name !== null && p.name
      ? [{ type: many, name, nameNode: p.name, fn: ts.isPropertyAssignment(p) ? fieldResolve(ctx, p.initializer) : null }]
      : [];
  });
}

function mapFields(ctx: FileContext, object: ts.ObjectLiteralExpression): Field[] {
  const { ts } = ctx;
  const fields: Field[] = [];
  for (const property of object.properties) {
    const type = property.name ? propertyNameText(ts, property.name) : null;
    if (type === null || !OPERATIONS[type] || !ts.isPropertyAssignment(property)) continue;
    const operations = unwrap(ts, property.initializer);
    if (!ts.isObjectLiteralExpression(operations)) continue;
    for (const member of operations.properties) {
      const name = member.name ? propertyNameText(ts, member.name) : null;
      if (name !== null && member.name) fields.push({ type, name, nameNode: member.name, fn: resolverFunction(ctx, member) });
    }
  }
  return fields;
}

/**
 * GraphQL resolver maps (Apollo Server, GraphQL Yoga, Mercurius, graphql-tools): the entries of
 * `Mutation: { … }` are mutations, those of `Query: { … }` reads; Pothos fields alike.
 */
function extractGraphqlMapHandlers(ctx: FileContext): RouteHandler[] {
  const { ts } = ctx;
  if (!isGraphqlMapFile(ctx)) return [];
  const fields: Field[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isObjectLiteralExpression(node) &&
      node.properties.some((p) => p.name !== undefined && OPERATIONS[propertyNameText(ts, p.name) ?? ''] !== undefined) &&
      isResolverMap(ctx, node)
    ) {
      fields.push(...mapFields(ctx, node));
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sourceFile);
  for (const call of ctx.nodes.calls) fields.push(...pothosFields(ctx, call));
  return fields.map((field) => {
    const method = OPERATIONS[field.type] ?? 'QUERY';
    return codeHandler(ctx, {
      framework: 'graphql-resolvers',
      method,
      name: `${field.type}.${field.name}`,
      path: null,
      nameNode: field.nameNode,
      fn: field.fn,
      body: field.fn?.body ?? null,
      isDeclaredMutation: method === 'MUTATION',
      isDeclaredRead: method === 'QUERY',
    });
  });
}

/**
 * GraphQL resolver maps and Pothos fields, by the words of their text: the servers (Apollo, Yoga,
 * Mercurius, graphql-tools) are many, and a map's imports only confirm what its name or type says.
 */
export const graphqlMaps: FrameworkModule = {
  id: 'graphql-resolvers',
  packages: [],
  mayHold: isGraphqlMapFile,
  extract: extractGraphqlMapHandlers,
};

declare module '../facts.js' {
  interface FrameworkNames {
    readonly 'graphql-resolvers': true;
  }
}
