import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SchemaText } from '../analysis/prisma-schema.js';
import { crawlProject } from './files.js';

/**
 * The text of each Prisma schema file below `dir` (`prisma/schema.prisma`, or the files of a schema
 * split over a folder), found as the source files are; a file that cannot be read is left out.
 */
export function readPrismaSchemas(dir: string): SchemaText[] {
  return crawlProject(resolve(dir), (path) => path.endsWith('.prisma'))
    .sort()
    .flatMap((file) => {
      try {
        return [{ file, text: readFileSync(file, 'utf8') }];
      } catch {
        return [];
      }
    });
}
