// The command line's start, in CPU time of fresh processes, medians, interleaved: `cache-audit
// --version` and loading what an audit loads (the analysis and TypeScript) against the floor of
// starting Node itself; with a second built checkout of cache-audit, the same for it, in the same rounds.
// Usage: npm run bench:startup -- [rounds=9] [other-checkout]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const rounds = Number(process.argv[2] ?? 9);
const other = process.argv[3] ? resolve(process.argv[3]) : null;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const report = `const u = process.resourceUsage(); console.log(JSON.stringify({ cpuS: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRssMb: u.maxRSS / 1024 }))`;
// Loads bin/cache-audit.js as the command does, then reports the process's CPU time and peak memory.
const measure = (args) => JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }).split('\n').at(-2));

/** What an audit loads before it reads a file: the audit module, and TypeScript (loaded lazily where it is). */
const loadAudit = (checkout) => {
  const lazy = join(checkout, 'dist/esm/src/ts/typescript.js');
  const typescript = existsSync(lazy) ? `(await import(${JSON.stringify(lazy)})).typescript();` : '';
  return [
    '--input-type=module',
    '-e',
    `await import(${JSON.stringify(join(checkout, 'dist/esm/src/cli/audit.js'))}); ${typescript} ${report}`,
  ];
};
const version = (checkout) => [
  '--input-type=module',
  '-e',
  `process.argv = [process.argv[0], 'cache-audit', '--version']; await import(${JSON.stringify(join(checkout, 'bin/cache-audit.js'))}); ${report}`,
];

const rows = [['node -e', ['-e', report]]];
for (const [name, checkout] of [['', resolve('.')], ...(other ? [[' (other)', other]] : [])]) {
  rows.push([`cache-audit --version${name}`, version(checkout)], [`the audit's modules${name}`, loadAudit(checkout)]);
}
const runs = rows.map(() => []);
for (let round = 0; round < rounds; round++) rows.forEach(([, args], i) => runs[i].push(measure(args)));
const floor = median(runs[0].map((r) => r.cpuS));
console.log(`CPU time of a fresh process, medians of ${rounds}, against starting Node:${other ? ` (other) is ${other}` : ''}`);
rows.forEach(([name], i) => {
  const cpuS = median(runs[i].map((r) => r.cpuS));
  const mb = median(runs[i].map((r) => r.maxRssMb));
  console.log(
    `${name.padEnd(36)} ${(cpuS * 1000).toFixed(0).padStart(6)} CPU ms  ${(cpuS / floor).toFixed(2).padStart(6)}  peak ${mb.toFixed(0)} MiB`,
  );
});
