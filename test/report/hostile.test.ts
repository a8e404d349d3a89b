import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPORTERS } from '../../src/report/index.js';
import type { ReportContext } from '../../src/report/index.js';
import { markdownCode } from '../../src/report/escape.js';
import type { ScanFinding, ScanResult } from '../../src/scanner/result.js';
import { scan } from '../../src/scanner/scan.js';

/** A pattern that, written as it is on a line of a CI log, would be a GitHub Actions command. */
const INJECTED = 'quotes:*\n::warning file=x::pwned';
const FILE = 'src/a\r\n::error::owned`.ts';
const MESSAGE = `The pattern \`${INJECTED}\` or \`a\`<img src=x onerror=alert(1)>\` is too broad \u001b[31mhere\u001b[0m.`;

let result: ScanResult;
beforeAll(async () => {
  const scanned = await scan({ root: join(resolve(import.meta.dirname, '../..'), 'fixtures/quotes-app-defects') });
  const [first] = scanned.findings;
  if (!first) throw new Error('the fixture has findings');
  const hostile: ScanFinding = { ...first, file: FILE, message: MESSAGE, via: [`helper\n::error::via`] };
  const spot: ScanFinding = { ...hostile, ruleId: 'unresolved', severity: 'note', message: `\`redis.${INJECTED}\` cannot be followed.` };
  result = {
    ...scanned,
    findings: [hostile, spot],
    diagnostics: [{ file: FILE, line: 1, column: 1, message: `Syntax error: ${INJECTED}` }],
  };
});

const context: ReportContext = { color: false, baselined: 0, verbose: false, sourceLine: () => `const k = 'x';\u001b]0;title\u0007` };

/** Whether a line would be read by the GitHub Actions runner as a workflow command. */
const isCommand = (line: string): boolean => line.trimStart().startsWith('::');

describe('source text in the reports is data', () => {
  it('text: control characters and newlines are spelled out, no line is a workflow command', () => {
    const output = REPORTERS.text(result, context);
    expect(output.split('\n').filter(isCommand)).toEqual([]);
    // eslint-disable-next-line no-control-regex -- the point of the test
    expect(output).not.toMatch(/[\r\u001b\u0007]/);
    expect(output).toContain('quotes:*\\n::warning file=x::pwned');
    expect(output).toContain('src/a\\r\\n::error::owned`.ts');
    expect(output).toContain('\\u001b[31mhere');
  });

  it('text: a file named like a workflow command does not start a line', () => {
    const named: ScanResult = { ...result, findings: result.findings.map((f) => ({ ...f, file: '::warning file=x::pwned.ts' })) };
    const output = REPORTERS.text(named, context);
    expect(output.split('\n').filter(isCommand)).toEqual([]);
    expect(output).toContain('./::warning file=x::pwned.ts');
  });

  it('github: one annotation a line, messages and properties encoded', () => {
    const output = REPORTERS.github(result, context);
    const lines = output.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) file=[^,:\n\r]*,line=\d+,/);
    expect(lines[0]).toContain('file=src/a%0D%0A%3A%3Aerror%3A%3Aowned`.ts,');
    expect(lines[0]).toContain('::The pattern `quotes:*%0A::warning file=x::pwned`');
    expect(lines[2]).toContain('::Syntax error: quotes:*%0A::warning file=x::pwned');
    // A percent sign is data too: encoded first, so that `%0A` in the source stays `%0A` once decoded.
    const percent = REPORTERS.github(
      { ...result, findings: [], diagnostics: [{ file: '100%.ts', line: 1, column: 1, message: 'a %0A b' }] },
      context,
    );
    expect(percent).toBe('::warning file=100%25.ts,line=1,col=1,title=cache-audit::a %250A b\n');
  });

  it('markdown: backticks, HTML and newlines cannot leave their code spans or cells', () => {
    const output = REPORTERS.markdown(result, context);
    expect(output.split('\n').filter(isCommand)).toEqual([]);
    expect(output).not.toContain('<img');
    expect(output).not.toContain('\r');
    // Each table row is one line of four cells.
    for (const row of output.split('\n').filter((line) => line.startsWith('| 🔴') || line.startsWith('| 🟡'))) {
      expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(6);
    }
    expect(output).toContain(markdownCode('src/a\r\n::error::owned`.ts:1'));
    expect(output).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('markdown: a code span holds any text', () => {
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`a``')).toBe('``` `a`` ```');
    expect(markdownCode('a|b\nc')).toBe('`a\\|b\\nc`');
  });

  it('html: every quoted string is escaped', () => {
    const output = REPORTERS.html(result, context);
    expect(output).not.toContain('<img');
    expect(output).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
