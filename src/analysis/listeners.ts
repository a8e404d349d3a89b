import type ts from 'typescript';
import type { TS } from '../ts/syntax.js';

type Fn = ts.FunctionLikeDeclaration;

/** `@OnEvent('quote.changed')` methods of the given files, by event name (exact names). */
export function collectListeners(ts: TS, files: readonly ts.SourceFile[]): Map<string, Fn[]> {
  const listeners = new Map<string, Fn[]>();
  for (const file of files) {
    if (!file.text.includes('OnEvent')) continue;
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
            if (!ts.isStringLiteral(event) && !ts.isNoSubstitutionTemplateLiteral(event)) continue;
            const list = listeners.get(event.text) ?? [];
            list.push(node);
            listeners.set(event.text, list);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return listeners;
}
