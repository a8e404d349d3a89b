// Matcher throughput: cache-audit's Redis-exact `matches` against a baseline measured in the same
// run (the pattern compiled to a JavaScript RegExp, which is not Redis-exact but is what a
// hand-rolled matcher usually is). Prints matches per second and the ratio, per pattern shape.
// Usage: npm run bench   (builds first), or node bench/patterns.mjs after a build.
import { matches } from '../dist/esm/src/index.js';

function globToRegExp(glob) {
  let body = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') body += '[\\s\\S]*';
    else if (ch === '?') body += '[\\s\\S]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i);
      body += glob.slice(i, end + 1).replace('[^', '[^');
      i = end;
    } else body += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${body}$`, 's');
}

function rate(fn, keys, minMs = 300) {
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (const key of keys) fn(key);
    calls += keys.length;
    elapsed = performance.now() - started;
  }
  return (calls / elapsed) * 1000;
}

const tenants = Array.from({ length: 200 }, (_, i) => `tenant${i}`);
const keys = tenants.flatMap((t) => [
  `quotes:list:${t}:9f8e7d6c5b4a`,
  `quotes:summary:${t}:0a1b2c3d4e5f`,
  `dashboard:kpis:${t}:abcdef012345`,
  `dashboard:top_clients:${t}:fedcba987654`,
]);

const shapes = [
  ['prefix', 'quotes:*'],
  ['tenant-scoped', 'dashboard:kpis:tenant42:*'],
  ['inner wildcard', '*:kpis:*'],
  ['class', 'quotes:[ls]*:tenant1?:*'],
  ['escaped', 'quotes:list:tenant\\*:*'],
];

const format = (n) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
console.log('shape            pattern                       matches/s   RegExp/s   ours/RegExp');
for (const [name, pattern] of shapes) {
  const regExp = globToRegExp(pattern);
  const ours = rate((key) => matches(pattern, key), keys);
  const baseline = rate((key) => regExp.test(key), keys);
  console.log(
    `${name.padEnd(16)} ${pattern.padEnd(29)} ${format(ours).padStart(10)} ${format(baseline).padStart(10)}   ${(ours / baseline).toFixed(2)}`,
  );
}

// Adversarial: 100 `*a` pieces against a 10 KB key that almost matches. Redis's own algorithm
// (which `matches` follows) stays polynomial here; a backtracking RegExp does not finish.
const adversarial = '*a'.repeat(100);
const longKey = `${'a'.repeat(9_999)}b`;
const started = performance.now();
const result = matches(adversarial, longKey);
console.log(`adversarial      ('*a' x 100) vs 10 KB key: ${result} in ${(performance.now() - started).toFixed(1)} ms`);
