import type ts from 'typescript';
import type { TS } from '../ts/syntax.js';

type Fn = ts.FunctionLikeDeclaration;

/**
 * The keys a listener's event expression is known by: its string value (a literal, or a `const`
 * of the file), and its text for names written as expressions (`PortfolioChangedEvent.getName()`,
 * `Events.QuoteChanged`), which an emit writing the same expression matches.
 */
function listenerKeys(ts: TS, file: ts.SourceFile, event: ts.Expression): string[] {
  if (ts.isStringLiteral(event) || ts.isNoSubstitutionTemplateLiteral(event)) return [event.text];
  const keys = [`expr:${event.getText(file).replace(/\s+/g, '')}`];
  if (ts.isIdentifier(event)) {
    for (const statement of file.statements) {
      if (!ts.isVariableStatement(statement) || (statement.declarationList.flags & ts.NodeFlags.Const) === 0) continue;
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === event.text && d.initializer && ts.isStringLiteral(d.initializer))
          keys.push(d.initializer.text);
      }
    }
  }
  return keys;
}

/** What the text of a file that holds a listener contains. */
export const LISTENER_MARKER = /OnEvent/;

/** `@OnEvent(…)` methods of the given files, by event key (see `listenerKeys`). */
export function collectListeners(ts: TS, files: readonly ts.SourceFile[]): Map<string, Fn[]> {
  const listeners = new Map<string, Fn[]>();
  for (const file of files) {
    if (!LISTENER_MARKER.test(file.text)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isMethodDeclaration(node) && node.body) {
        for (const decorator of ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : []) {
          const call = decorator.expression;
          if (!ts.isCallExpression(call)) continue;
          const callee = call.expression;
          const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
          if (name !== 'OnEvent') continue;
          const first = call.arguments[0];
          const events = first && ts.isArrayLiteralExpression(first) ? first.elements : first ? [first] : [];
          for (const event of events) {
            for (const key of listenerKeys(ts, file, event)) {
              const list = listeners.get(key) ?? [];
              list.push(node);
              listeners.set(key, list);
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return listeners;
}
