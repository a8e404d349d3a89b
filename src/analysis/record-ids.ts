import type ts from 'typescript';
import { bindsName, decoratorsOf, lastName, parentOf, propertyNameText, unwrap } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { iteratedArray } from './elements.js';

/**
 * A value named as a record's identifier (`id`, `variantId`, `user_id`): the identifiers an
 * application makes (UUIDs, ULIDs, cuids, numbers) hold no glob character.
 */
const RECORD_ID = /^(?:id|ID|[\w$]*[a-z0-9](?:Id|ID)|[\w$]*_id)$/;
/** The parts of a request a client writes (`req.params.id`, `input.id`, `await req.json()`). */
const REQUEST_PARTS = new Set(['params', 'query', 'body', 'input', 'args', 'searchParams', 'headers', 'cookies', 'json', 'formData']);
/** Decorators that hand a parameter the request's values (`@Param('id') id`, `@Args('id') id`). */
const REQUEST_DECORATORS = new Set(['Param', 'Query', 'Body', 'Args', 'Headers']);
const MAX_DEPTH = 6;

/**
 * Whether a value put into a pattern is a record's id the code does not show coming from a client:
 * named as an id (`ps:${id}:*` over `variantIds`), not a tenant's (`tenantNames`: often a name the
 * tenant chose, a subdomain or a slug, and the scope a wider pattern crosses), and not read from a
 * request's params, query, body or arguments in the code shown (`req.params.id`,
 * `const { id } = req.params`, `@Param('id') id`), where a client could send `*`.
 */
export function isRecordId(ts: TS, expression: ts.Expression, tenantNames: ReadonlySet<string>): boolean {
  const name = lastName(ts, expression);
  return name !== null && RECORD_ID.test(name) && !tenantNames.has(name) && !isFromRequest(ts, expression, 0);
}

function isFromRequest(ts: TS, node: ts.Expression, depth: number): boolean {
  const expression = unwrap(ts, node);
  if (depth > MAX_DEPTH) return false;
  if (ts.isPropertyAccessExpression(expression) || ts.isElementAccessExpression(expression)) {
    const name = lastName(ts, expression);
    return (name !== null && REQUEST_PARTS.has(name)) || isFromRequest(ts, expression.expression, depth + 1);
  }
  if (ts.isCallExpression(expression)) {
    // `schema.parse(req.body)`, `req.body.ids.map(…)`, `await req.json()`.
    return isFromRequest(ts, expression.expression, depth + 1) || expression.arguments.some((a) => isFromRequest(ts, a, depth + 1));
  }
  if (ts.isIdentifier(expression)) {
    if (REQUEST_PARTS.has(expression.text)) return true;
    const declaration = declarationOf(ts, expression);
    return declaration !== null && isRequestDeclaration(ts, declaration, expression, depth);
  }
  return false;
}

/** Whether what declares a name gives it a request's value: its initializer, its decorator, or the array a callback runs over. */
function isRequestDeclaration(
  ts: TS,
  declaration: ts.ParameterDeclaration | ts.VariableDeclaration,
  identifier: ts.Identifier,
  depth: number,
): boolean {
  const name = identifier.text;
  // `const { params: { id } } = ctx`, `({ input: { id } }) => …`: the path the name is taken along.
  if (bindingPath(ts, declaration.name, name).some((part) => REQUEST_PARTS.has(part))) return true;
  if (ts.isVariableDeclaration(declaration)) return declaration.initializer ? isFromRequest(ts, declaration.initializer, depth + 1) : false;
  if (decoratorsOf(ts, declaration).some((d) => REQUEST_DECORATORS.has(lastName(ts, d.expression) ?? ''))) return true;
  // `ids.map((id) => …)`: an element of the array the callback runs over.
  const array = iteratedArray(ts, identifier);
  return array !== null && isFromRequest(ts, array, depth + 1);
}

/** The property names a destructuring takes a name along (`{ params: { id } }` → `params`, `id`). */
function bindingPath(ts: TS, binding: ts.BindingName, name: string): string[] {
  if (ts.isIdentifier(binding)) return binding.text === name ? [name] : [];
  for (const element of binding.elements) {
    if (ts.isOmittedExpression(element) || !bindsName(ts, element.name, name)) continue;
    const key = element.propertyName ? propertyNameText(ts, element.propertyName) : null;
    return [...(key ? [key] : []), ...bindingPath(ts, element.name, name)];
  }
  return [];
}

/** The parameter or variable that declares a name where it is used: the nearest enclosing one. */
function declarationOf(ts: TS, identifier: ts.Identifier): ts.ParameterDeclaration | ts.VariableDeclaration | null {
  const name = identifier.text;
  for (let node = parentOf(identifier); node; node = parentOf(node)) {
    if (ts.isFunctionLike(node)) {
      const parameter = node.parameters.find((p) => bindsName(ts, p.name, name));
      if (parameter) return parameter;
    }
    if (ts.isBlock(node) || ts.isSourceFile(node)) {
      for (const statement of node.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        const found = statement.declarationList.declarations.find((d) => bindsName(ts, d.name, name));
        if (found) return found;
      }
    }
  }
  return null;
}
