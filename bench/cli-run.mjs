// One measured process: `floor` reads and parses every file with TypeScript's createSourceFile
// (the `typescript` package, loaded as the CLI loads it); `scan` runs the whole audit. Prints JSON.
import { readFileSync } from 'node:fs';
import { walkSources } from '../dist/esm/src/scanner/files.js';
import { scan } from '../dist/esm/src/scanner/scan.js';
import { typescript } from '../dist/esm/src/ts/typescript.js';

const [mode, dir] = process.argv.slice(2);
let detail;
if (mode === 'floor') {
  const ts = typescript();
  const files = walkSources(dir, []);
  let nodes = 0;
  for (const file of files) {
    const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    nodes += sourceFile.statements.length;
  }
  detail = { files: files.length, statements: nodes };
} else {
  const result = await scan({ root: dir });
  detail = { files: result.filesScanned, findings: result.findings.length, diagnostics: result.diagnostics.length };
}
console.log(JSON.stringify({ mode, ...detail, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
