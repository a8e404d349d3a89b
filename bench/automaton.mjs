// Inclusion questions on the shapes that grow the subset automaton (`*a` then n `?`), against a
// question of an ordinary pattern, in the same run: each answer is bounded by MAX_STATES.
// Usage: npm run build && node bench/automaton.mjs
import { covers, decidePatternCovers } from '../dist/esm/src/patterns/operations.js';

const time = (fn) => {
  const started = performance.now();
  const answer = fn();
  return { ms: performance.now() - started, answer };
};
const base = time(() => covers('quotes:list:*', 'quotes:list:{tenantId}:{hash}'));
console.log(`ordinary: covers('quotes:list:*', template)        ${base.ms.toFixed(2).padStart(8)} ms`);
for (const n of [12, 14, 16, 18, 24]) {
  const p = `*a${'?'.repeat(n)}`;
  const same = time(() => decidePatternCovers(p, p));
  const longer = time(() => decidePatternCovers(p, `${p}b`));
  console.log(
    `patternCovers(p, p), p = *a+?×${String(n).padEnd(3)} ${same.ms.toFixed(1).padStart(8)} ms (${same.answer})   (p, p+'b') ${longer.ms.toFixed(1).padStart(8)} ms (${longer.answer})`,
  );
}
