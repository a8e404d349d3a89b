import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { bullmq } from './bullmq.js';
import { cacheClients } from './cache-clients.js';
import { drizzle } from './drizzle.js';
import { mongoose } from './mongoose.js';
import { nextCache } from './next-cache.js';
import { prisma } from './prisma.js';
import { qstash } from './qstash.js';
import { sequelize } from './sequelize.js';
import { triggerDev } from './trigger-dev.js';
import type { Source } from './source.js';
import { typeorm } from './typeorm.js';

/**
 * The library sources, asked in order; the first that recognises a call says what it does.
 * Adding a library is adding one module here, with its fixture. The ORMs and queues recognise
 * their calls by imports and declared types and are asked before the project's own functions
 * are followed (`precedesHelpers`); Drizzle before Prisma, whose `db` name fallback is broader.
 */
export const SOURCES: readonly Source[] = [
  drizzle,
  typeorm,
  sequelize,
  mongoose,
  prisma,
  bullmq,
  triggerDev,
  qstash,
  nextCache,
  cacheClients,
];

/** The project's model class an instance is of (`site` of `await Website.findByPk(id)`), as the first source that knows says. */
export function modelClassOf(ctx: FileContext, receiver: ts.Expression): { cls: ts.ClassLikeDeclaration; ctx: FileContext } | null {
  for (const source of SOURCES) {
    const found = source.instanceClass?.(ctx, receiver);
    if (found) return found;
  }
  return null;
}
