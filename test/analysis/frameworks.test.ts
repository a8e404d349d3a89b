import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { fileContext, surfaceOf, textRelevance } from '../../src/analysis/extract.js';
import { FRAMEWORKS } from '../../src/analysis/frameworks/index.js';
import { resolveOptions } from '../../src/analysis/options.js';
import { walkSources } from '../../src/project/files.js';
import { importSpecifiers } from '../../src/project/relevance.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const options = resolveOptions({});

describe('the list of frameworks', () => {
  it('names each framework once', () => {
    const ids = FRAMEWORKS.map((framework) => framework.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('finds handlers only in files its cheap test keeps, read from the text alone (every fixture file)', () => {
    const found = new Map<string, number>();
    for (const file of walkSources(FIXTURES, [])) {
      const text = readFileSync(file, 'utf8');
      const ctx = fileContext(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true), { ts, options });
      const surface = surfaceOf(file, text, importSpecifiers(text));
      for (const framework of FRAMEWORKS) {
        if (framework.extract(ctx).length === 0) continue;
        found.set(framework.id, (found.get(framework.id) ?? 0) + 1);
        expect(framework.mayHold(surface, options), `${framework.id}: ${file}`).toBe(true);
        expect(textRelevance(file, text, options).handlers, file).toBe(true);
      }
    }
    // Every framework has fixture files with handlers: the test checks each one's test.
    expect([...found.keys()].sort()).toEqual(FRAMEWORKS.map((framework) => framework.id).sort());
  });

  it('keeps a file that imports one of the packages a framework declares and writes its handlers', () => {
    const declared = FRAMEWORKS.flatMap((framework) => framework.packages.map((name) => ({ framework, name })));
    expect(declared.length).toBeGreaterThan(8);
    for (const { framework, name } of declared) {
      const text = `import { Controller, router } from '${name}';\n@Controller() export class Quotes {}\n`;
      const surface = surfaceOf('/app/src/quotes.ts', text, [name]);
      expect(framework.mayHold(surface, options), `${framework.id}: ${name}`).toBe(true);
    }
  });
});
