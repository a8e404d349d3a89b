import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';
import { plantedApp } from '../support/planted-app.js';
import { writeProject } from '../support/project.js';

/** Mutations that write the database, and no cache anywhere. */
const root = writeProject('no-cache', {
  'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
  'src/app.ts': `import express from 'express';
import { prisma } from './db';
export const app = express();
app.get('/quotes', async (req, res) => res.json(await prisma.quote.findMany()));
app.post('/quotes', async (req, res) => res.json(await prisma.quote.create({ data: req.body })));
app.delete('/quotes/:id', async (req, res) => res.json(await prisma.quote.delete({ where: { id: req.params.id } })));
`,
});
const cached = writeProject('with-cache', plantedApp());
afterAll(() => {
  for (const dir of [root, cached]) rmSync(dir, { recursive: true, force: true });
});

const NO_CACHE = 'no cache: nothing reads, fills or invalidates one, so there is nothing to keep fresh';

describe('a project with no cache', () => {
  it('says so in one line instead of a coverage of 0 %, and --min-coverage does not fail it', async () => {
    const result = await run(['.', '--no-color', '--min-coverage', '80'], root);
    expect(result).toEqual({ code: 0, stdout: `0 errors, 0 warnings, 0 notes, 2 files, ${NO_CACHE}\n`, stderr: '' });
  });

  it('says so in the Markdown and HTML reports', async () => {
    const result = await run(['.', '--format', 'markdown', '--format', 'html', '--output', 'report.html'], root);
    expect(result.stdout).toBe(`## cache-audit\n\n**0 errors**, **0 warnings**, **0 notes** in 2 files. N${NO_CACHE.slice(1)}.\n`);
    const html = readFileSync(join(root, 'report.html'), 'utf8');
    expect(html).toContain('<div class="tile"><b>no cache</b>nothing to keep fresh</div>');
    expect(html).not.toContain('0.0 %');
  });

  it('keeps the coverage where there is a cache, and its --min-coverage gate', async () => {
    const result = await run(['.', '--no-color', '--min-coverage', '80'], cached);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '1 error, 0 warnings, 0 notes, 2 files, coverage 0.0 % (0/1 mutation handlers invalidate or state an exception)\n',
    );
    expect(result.stderr).toBe('cache-audit: coverage 0.0 % is below --min-coverage 80 %.\n');
  });
});
