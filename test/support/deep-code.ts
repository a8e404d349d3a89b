/** Generated code that nests deeper than any hand-written file: the inputs the analysis must survive. */

const HEADER = "import { Controller, Delete, Param } from '@nestjs/common';\nimport Redis from 'ioredis';\n\nconst redis = new Redis();\n";

/** A controller whose key is a `'a' + x + 'b' + …` chain of `terms` terms (a left-nested tree as deep). */
export function longConcatenation(terms: number): string {
  const parts = Array.from({ length: terms }, (_, i) => (i % 2 === 0 ? `'k${String(i)}'` : 'x'));
  return `${HEADER}const x = String(Date.now());\nexport const key = ${parts.join(' + ')};\n\n@Controller('generated')\nexport class GeneratedController {\n  @Delete(':id')\n  async remove(@Param('id') id: string) {\n    await redis.del(key + id);\n  }\n}\n`;
}

/** A controller whose handler reaches its deletion through a chain of `depth` functions, each calling the next. */
export function longCallChain(depth: number): string {
  const lines = [HEADER, `async function step${String(depth)}(id: string) {\n  await redis.del('quotes:' + id);\n}`];
  for (let i = depth - 1; i >= 0; i--) lines.push(`async function step${String(i)}(id: string) {\n  await step${String(i + 1)}(id);\n}`);
  lines.push(
    "@Controller('generated')\nexport class GeneratedController {\n  @Delete(':id')\n  async remove(@Param('id') id: string) {\n    await step0(id);\n  }\n}\n",
  );
  return lines.join('\n');
}

/** An array literal nested `depth` levels deep: deeper than TypeScript's own parser can recurse for a large depth. */
export function nestedArrays(depth: number): string {
  return `${HEADER}export const nested = ${'['.repeat(depth)}${']'.repeat(depth)};\n`;
}

/** A controller with one real finding (a GET handler that invalidates), beside the generated files. */
export const REAL_FINDING = `import { Controller, Get } from '@nestjs/common';
import { InvalidateCachePattern } from 'cache-audit/runtime';

@Controller('quotes')
export class QuotesController {
  @Get()
  @InvalidateCachePattern('quotes:*')
  list() {
    return [];
  }
}
`;
