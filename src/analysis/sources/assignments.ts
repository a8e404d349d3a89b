import type ts from 'typescript';
import type { TS } from '../../ts/syntax.js';

/**
 * The one value a top-level `let` declared with none is given (`let client; if (env.REDIS_ENABLED)
 * client = new Redis(…)`), or undefined when it is given none or several.
 */
export function soleAssignment(ts: TS, file: ts.SourceFile, name: string): ts.Expression | undefined {
  const values: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(node.left) &&
      node.left.text === name
    )
      values.push(node.right);
    if (!ts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  for (const statement of file.statements) if (!ts.isVariableStatement(statement)) visit(statement);
  return values.length === 1 ? values[0] : undefined;
}
