// The command line's start: `cache-audit --version` against the floor of starting Node itself and
// against loading the analysis (what --version cost before it was loaded lazily), medians.
// Usage: npm run build && node bench/cli-startup.mjs [rounds=9]
import { execFileSync } from 'node:child_process';

const rounds = Number(process.argv[2] ?? 9);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const time = (args) => {
  const started = performance.now();
  execFileSync(process.execPath, args, { encoding: 'utf8' });
  return performance.now() - started;
};
const runs = { node: [], version: [], analysis: [] };
for (let round = 0; round < rounds; round++) {
  runs.node.push(time(['-e', '']));
  runs.version.push(time(['bin/cache-audit.js', '--version']));
  runs.analysis.push(time(['--input-type=module', '-e', "await import('./dist/esm/src/cli/audit.js')"]));
}
const [node, version, analysis] = [median(runs.node), median(runs.version), median(runs.analysis)];
console.log(`node -e ''                 ${node.toFixed(0).padStart(6)} ms   1.00`);
console.log(`cache-audit --version      ${version.toFixed(0).padStart(6)} ms   ${(version / node).toFixed(2)}`);
console.log(`loading the analysis       ${analysis.toFixed(0).padStart(6)} ms   ${(analysis / node).toFixed(2)}`);
