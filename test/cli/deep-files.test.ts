import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { MAX_CALL_DEPTH, MAX_NESTING } from '../../src/analysis/limits.js';
import { run } from '../support/cli.js';
import { longCallChain, longConcatenation, nestedArrays, REAL_FINDING } from '../support/deep-code.js';
import { writeProject } from '../support/project.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function audit(generated: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = writeProject('deep', { 'src/quotes.controller.ts': REAL_FINDING, 'src/generated.ts': generated });
  roots.push(root);
  return run([root, '--format', 'json']);
}

type Audited = {
  findings: { file: string; line: number; ruleId: string }[];
  diagnostics: { file: string; line: number; message: string }[];
};

describe('a file the analysis cannot follow', () => {
  it('is a diagnostic naming its line, and the other files are still audited (a 4,000-term + chain)', async () => {
    const result = await audit(longConcatenation(4000));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as Audited;
    expect(json.findings.map((f) => `${f.file}:${String(f.line)} ${f.ruleId}`)).toContain(
      'src/quotes.controller.ts:7 no-invalidation-in-query',
    );
    expect(json.diagnostics).toEqual([
      {
        file: 'src/generated.ts',
        line: 6,
        column: expect.any(Number) as number,
        message: `Analysis gave up: an expression is nested deeper than ${String(MAX_NESTING)} levels; the file is not audited.`,
      },
    ]);
  });

  it('gives up on a chain of calls deeper than the limit, not on the run', async () => {
    const result = await audit(longCallChain(3000));
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as Audited;
    expect(json.findings.map((f) => f.ruleId)).toContain('no-invalidation-in-query');
    expect(json.findings.filter((f) => f.file === 'src/generated.ts')).toEqual([]);
    expect(json.diagnostics.map((d) => `${d.file} ${d.message}`)).toEqual([
      `src/generated.ts Analysis gave up: calls nested deeper than ${String(MAX_CALL_DEPTH)} levels; the file is not audited.`,
    ]);
  });

  it('survives a file that exhausts the parser itself', async () => {
    const result = await audit(nestedArrays(20_000));
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as Audited;
    expect(json.findings.map((f) => f.ruleId)).toContain('no-invalidation-in-query');
    expect(json.diagnostics).toEqual([
      expect.objectContaining({ file: 'src/generated.ts', message: expect.stringMatching(/^Analysis gave up: /) as string }),
    ]);
  });

  it('names the file in the text report', async () => {
    const root = writeProject('deep', { 'src/quotes.controller.ts': REAL_FINDING, 'src/generated.ts': longConcatenation(4000) });
    roots.push(root);
    const result = await run([root, '--no-color']);
    expect(result.stdout).toMatch(/^ {2}src\/generated\.ts:6:\d+ {2}Analysis gave up: an expression is nested deeper than \d+ levels/m);
  });
});
