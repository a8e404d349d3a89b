// Which imports of real projects are the project's: by the spelling of the specifier (the fallback
// of untyped ESLint) against module resolution (the CLI), per checkout, distinct (file, specifier).
// Usage: npm run build && node bench/modules.mjs path/to/checkout [more checkouts…]
import { readFileSync } from 'node:fs';
import { importBindings } from '../dist/esm/src/ts/imports.js';
import { scriptKindOf } from '../dist/esm/src/ts/syntax.js';
import { looksLikeProjectModule } from '../dist/esm/src/analysis/project-modules.js';
import { projectFiles } from '../dist/esm/src/project/files.js';
import { ProjectResolver } from '../dist/esm/src/project/resolver.js';
import { typescript } from '../dist/esm/src/ts/typescript.js';

const ts = typescript();

console.log('checkout                 files   imports   by spelling   by resolution   gained   lost   gained through');
for (const root of process.argv.slice(2)) {
  const started = performance.now();
  const listed = projectFiles(ts, root, undefined);
  const resolver = new ProjectResolver(ts, { project: listed, host: ts.sys, sourceFileAt: () => undefined });
  const counts = { imports: 0, spelling: 0, resolution: 0, gained: 0, lost: 0 };
  const through = new Map();
  for (const file of listed.files) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(ts, file));
    for (const module of new Set([...importBindings(ts, sourceFile).values()].map((b) => b.module))) {
      const spelled = looksLikeProjectModule(module);
      const resolved = resolver.isProjectModule(module, file) ?? spelled;
      counts.imports++;
      if (spelled) counts.spelling++;
      if (resolved) counts.resolution++;
      if (spelled && !resolved) counts.lost++;
      if (resolved && !spelled) {
        counts.gained++;
        const name = module
          .split('/')
          .slice(0, module.startsWith('@') ? 2 : 1)
          .join('/');
        through.set(name, (through.get(name) ?? 0) + 1);
      }
    }
  }
  const top = [...through]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const name = root.replace(/\/+$/, '').split('/').pop() ?? root;
  console.log(
    `${name.padEnd(22)} ${String(listed.files.length).padStart(7)} ${String(counts.imports).padStart(9)} ${String(counts.spelling).padStart(13)} ${String(counts.resolution).padStart(15)} ${String(counts.gained).padStart(8)} ${String(counts.lost).padStart(6)}   ${top}  (${(performance.now() - started).toFixed(0)} ms)`,
  );
}
