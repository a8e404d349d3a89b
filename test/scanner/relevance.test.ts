import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { keyRolesOfFile } from '../../src/analysis/effects/key-roles.js';
import { extractFacts, fileContext } from '../../src/analysis/extract.js';
import { collectHooks } from '../../src/analysis/hooks.js';
import { collectListeners } from '../../src/analysis/listeners.js';
import { resolveOptions } from '../../src/analysis/options.js';
import { walkSources } from '../../src/project/files.js';
import { exportableNames, fileRelevance, importSpecifiers } from '../../src/scanner/pipeline/relevance.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const options = resolveOptions({});
const relevant = (text: string, file = '/app/src/x.ts'): boolean => fileRelevance(file, text, options).relevant;

describe('fileRelevance: what can matter, from the text alone', () => {
  it('leaves out the files that can hold nothing the audit looks for', () => {
    expect(relevant("import { IsString } from 'class-validator';\nexport class CreateQuoteDto { @IsString() name!: string; }\n")).toBe(
      false,
    );
    expect(relevant("import { Schema } from 'mongoose';\nexport const QuoteSchema = new Schema({ name: String });\n")).toBe(false);
    expect(relevant("import { WorkerService } from './worker.service';\nexport const make = (w: WorkerService) => w.run();\n")).toBe(false);
    expect(relevant("import { Entity, Column } from 'typeorm';\n@Entity() export class Quote { @Column() name!: string; }\n")).toBe(false);
    expect(relevant("import { Injectable } from '@nestjs/common';\n@Injectable() export class QuotesService {}\n")).toBe(false);
  });

  it('keeps every file that can hold a handler, a cache call, a hook, a listener, a job or a global interceptor', () => {
    const texts = [
      "import { Controller, Post } from '@nestjs/common';\n@Controller('q') export class Q { @Post() create() {} }\n",
      "import express from 'express';\nexport const router = express.Router();\n",
      "const { Router } = require('express');\n",
      "'use server';\nexport async function createQuote() {}\n",
      "import Redis from 'ioredis';\nexport const redis = new Redis();\n",
      'export const lock = (kv: { set(k: string): void }) => kv.set("lock:1");\n',
      "import { OnEvent } from '@nestjs/event-emitter';\n",
      "QuoteSchema.pre('save', function () {});\n",
      "import { Worker } from 'bullmq';\nnew Worker('emails', async () => {});\n",
      "@Processor('emails') export class EmailsProcessor {}\n",
      "import { EventSubscriber } from 'typeorm';\nexport class S { afterInsert() {} }\n",
      'export const client = prisma.$extends({ query: {} });\n',
      "Quote.addHook('afterCreate', () => {});\n",
      'providers: [{ provide: APP_INTERCEPTOR, useClass: X }]\n',
      'export const resolvers = { Mutation: { createQuote } };\n',
      'export const appRouter = router({ create: publicProcedure.mutation(() => 1) });\n',
    ];
    for (const text of texts) expect(relevant(text), text).toBe(true);
    // By path alone: the frameworks whose files are handlers by where they are.
    for (const file of ['/app/pages/api/quotes.ts', '/app/app/quotes/route.ts', '/app/src/routes/quotes/+server.ts'])
      expect(relevant('export default function handler() {}\n', file), file).toBe(true);
  });

  it('keeps the files that name a configured invalidation decorator or call', () => {
    const configured = resolveOptions({ additionalDecorators: ['EvictQuotes'], additionalCalls: ['purgeQuotes'] });
    expect(fileRelevance('/app/a.ts', 'export class A { @EvictQuotes() update() {} }\n', configured).relevant).toBe(true);
    expect(fileRelevance('/app/b.ts', 'export const b = () => purgeQuotes();\n', configured).relevant).toBe(true);
    expect(fileRelevance('/app/b.ts', 'export const b = () => purgeQuotes();\n', options).relevant).toBe(false);
  });

  it('is plain data, the same after a round trip through JSON', () => {
    const verdict = fileRelevance('/app/q.ts', "import { a } from './a';\nexport * from './b';\n", options);
    expect(verdict).toEqual({ relevant: false, global: false, imports: ['./a', './b'] });
    expect(JSON.parse(JSON.stringify(verdict))).toEqual(verdict);
  });
});

describe('importSpecifiers', () => {
  it('finds imports, re-exports, side-effect and dynamic imports, require and import-equals', () => {
    const text = [
      "import a from 'a';",
      "import type { B } from 'b';",
      "import 'c';",
      "export * from './d';",
      "export { e } from './e';",
      "import f = require('f');",
      'const g = require(`g`);',
      "const h = await import('./h');",
      "import {\n  i,\n} from\n  '@scope/i';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['a', 'b', 'c', './d', './e', 'f', 'g', './h', '@scope/i']);
  });

  it('finds at least what ts.preProcessFile finds, on every fixture file', () => {
    for (const file of walkSources(FIXTURES, [])) {
      const text = readFileSync(file, 'utf8');
      const found = new Set(importSpecifiers(text));
      for (const imported of ts.preProcessFile(text, true, true).importedFiles) expect(found, file).toContain(imported.fileName);
    }
  });
});

describe('exportableNames', () => {
  it('lists the names a module writes, or any name when it re-exports wholesale', () => {
    const names = exportableNames("import { x } from './x';\nexport class QuotesService {}\nexport { y as z };\n");
    expect(names === 'any' ? [] : ['QuotesService', 'z', 'x'].filter((n) => names.has(n))).toEqual(['QuotesService', 'z', 'x']);
    expect(names !== 'any' && names.has('ClientsService')).toBe(false);
    expect(exportableNames("export * from './quotes';\n")).toBe('any');
    expect(exportableNames("module.exports = require('./quotes');\n")).toBe('any');
    const unicode = exportableNames('export const café = 1;\n');
    expect(unicode !== 'any' && unicode.has('café')).toBe(true);
  });
});

describe('the filter never leaves out a file the analysis would use (every fixture file)', () => {
  it('keeps each file with facts, key roles, listeners, hooks or processors', () => {
    let kept = 0;
    for (const file of walkSources(FIXTURES, [])) {
      const text = readFileSync(file, 'utf8');
      const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const extract = { ts: ts, options };
      const roles = keyRolesOfFile(fileContext(sourceFile, extract));
      const hooks = collectHooks(ts, [sourceFile]);
      const uses =
        extractFacts(sourceFile, extract).isRelevant ||
        roles.others.length + roles.cached.length > 0 ||
        collectListeners(ts, [sourceFile]).size > 0 ||
        hooks.hooks.size + hooks.processors.size > 0 ||
        text.includes('APP_INTERCEPTOR');
      if (!uses) continue;
      kept++;
      expect(fileRelevance(file, text, options).relevant, file).toBe(true);
    }
    // The fixtures hold such files of every kind: the test checks something.
    expect(kept).toBeGreaterThan(100);
  });
});
