import type ts from 'typescript';
import type { TS } from './syntax.js';

export interface ImportBinding {
  readonly module: string;
  /** The exported name (`default` for default imports, `*` for namespaces). */
  readonly imported: string;
}

/** The names a file imports: local name → module and exported name. */
export function importBindings(ts: TS, sourceFile: ts.SourceFile): Map<string, ImportBinding> {
  const imports = new Map<string, ImportBinding>();
  for (const statement of sourceFile.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const module = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (clause?.name) imports.set(clause.name.text, { module, imported: 'default' });
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) imports.set(element.name.text, { module, imported: (element.propertyName ?? element.name).text });
    } else if (bindings && ts.isNamespaceImport(bindings)) {
      imports.set(bindings.name.text, { module, imported: '*' });
    }
  }
  return imports;
}
