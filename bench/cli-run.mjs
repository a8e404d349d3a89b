// One measured process: `floor` reads and parses with createSourceFile every file the CLI audits
// (the `typescript` package, loaded as the CLI loads it); `scan` runs the whole audit, with the build of the
// checkout given third (default: this one). Prints JSON, with the process's CPU time since its start.
import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { projectFiles } from '../dist/esm/src/project/files.js';
import { isTestFile } from '../dist/esm/src/project/test-files.js';
import { typescript } from '../dist/esm/src/ts/typescript.js';

const [mode, dir, build = fileURLToPath(new URL('..', import.meta.url))] = process.argv.slice(2);
let detail;
if (mode === 'floor') {
  const ts = typescript();
  const root = resolve(dir);
  const files = projectFiles(ts, root, undefined).files.filter((file) => !isTestFile(relative(root, file).split(sep).join('/')));
  let nodes = 0;
  for (const file of files) {
    const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    nodes += sourceFile.statements.length;
  }
  detail = { files: files.length, statements: nodes };
} else {
  const { scan } = await import(pathToFileURL(join(build, 'dist/esm/src/scanner/scan.js')).href);
  const result = await scan({ root: dir });
  detail = { files: result.filesScanned, findings: result.findings.length, diagnostics: result.diagnostics.length };
}
const cpu = process.cpuUsage();
console.log(JSON.stringify({ mode, ...detail, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
