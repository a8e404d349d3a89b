import type ts from 'typescript';
import type { TS } from '../ts/syntax.js';

/** What the text of a file that declares a class implementing an interface contains. */
export const IMPLEMENTS_MARKER = /\bimplements\s/;

/**
 * The classes of the given files by the interfaces they implement (`class DefaultSessionCache
 * implements SessionCacheStrategy`), by the interface's name: a call on a member typed by the
 * project's interface runs one of them.
 */
export function collectImplementations(ts: TS, files: readonly ts.SourceFile[]): Map<string, ts.ClassLikeDeclaration[]> {
  const found = new Map<string, ts.ClassLikeDeclaration[]>();
  for (const file of files) {
    if (!IMPLEMENTS_MARKER.test(file.text)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node)) {
        for (const clause of node.heritageClauses ?? []) {
          if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
          for (const type of clause.types) {
            const name = ts.isIdentifier(type.expression)
              ? type.expression.text
              : ts.isPropertyAccessExpression(type.expression)
                ? type.expression.name.text
                : null;
            if (name !== null) found.set(name, [...(found.get(name) ?? []), node]);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

/** A class's own method of this name, with a body. */
export function ownMethod(ts: TS, cls: ts.ClassLikeDeclaration, name: string): ts.MethodDeclaration | null {
  return (
    cls.members.find(
      (m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.body && ts.isIdentifier(m.name) && m.name.text === name,
    ) ?? null
  );
}
