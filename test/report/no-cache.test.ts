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
/** A cache whose keys are runtime values only: the item's scope and id, nothing that names the data. */
const unnamed = writeProject('unnamed-keys', {
  'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { prisma } from './db';
const redis = new Redis();
export const app = express();
app.get('/items/:scope/:id', async (req, res) => {
  const { scope, id } = req.params;
  const hit = await redis.get(\`\${scope}:\${id}\`);
  if (hit) return res.json(JSON.parse(hit));
  const item = await prisma.item.findUnique({ where: { id } });
  await redis.set(\`\${scope}:\${id}\`, JSON.stringify(item), 'EX', 600);
  res.json(item);
});
app.put('/items/:scope/:id', async (req, res) => res.json(await prisma.item.update({ where: { id: req.params.id }, data: req.body })));
`,
});
afterAll(() => {
  for (const dir of [root, cached, unnamed]) rmSync(dir, { recursive: true, force: true });
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

  it('whose only keys are runtime values says that in one line, with the key, where it is read and what to do', async () => {
    const line =
      'nothing to check: the cache key `{scope}:{id}` (src/app.ts:8) is made of runtime values only, so what it holds is unknown; begin each key with the name of its data (`<name>:{scope}:{id}`)';
    const result = await run(['.', '--no-color', '--min-coverage', '80'], unnamed);
    expect(result).toEqual({ code: 0, stdout: `0 errors, 0 warnings, 0 notes, 2 files, ${line}\n`, stderr: '' });
    const reports = await run(['.', '--format', 'markdown', '--format', 'html', '--output', 'report.html'], unnamed);
    expect(reports.stdout).toBe(`## cache-audit\n\n**0 errors**, **0 warnings**, **0 notes** in 2 files. N${line.slice(1)}.\n`);
    const html = readFileSync(join(unnamed, 'report.html'), 'utf8');
    expect(html).toContain('<div class="tile"><b>no family</b>keys of runtime values only</div>');
    expect(html).not.toContain('nothing reads, fills or invalidates');
  });
});
