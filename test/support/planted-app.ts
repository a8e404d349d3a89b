/**
 * A small Express app with one planted bug: creating a quote leaves the cached list stale
 * (`require-dependent-invalidation` at src/app.ts:16). `ttl` is the list's expiry in seconds.
 */
export function plantedApp(ttl = 300): Record<string, string> {
  return {
    'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
    'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { prisma } from './db';

const redis = new Redis();
export const app = express();

app.get('/quotes', async (req, res) => {
  const hit = await redis.get('quotes:list');
  if (hit) return res.json(JSON.parse(hit));
  const quotes = await prisma.quote.findMany();
  await redis.set('quotes:list', JSON.stringify(quotes), 'EX', ${String(ttl)});
  res.json(quotes);
});

app.post('/quotes', async (req, res) => {
  const quote = await prisma.quote.create({ data: req.body });
  res.status(201).json(quote);
});
`,
  };
}
