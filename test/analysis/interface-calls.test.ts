import { rmSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallResolver } from '../../src/analysis/context.js';
import { summarize } from '../../src/analysis/effects/summarize.js';
import { fileContext } from '../../src/analysis/extract.js';
import { resolveOptions } from '../../src/analysis/options.js';
import { checkerResolver } from '../../src/analysis/typed-resolver.js';
import { ProjectResolver } from '../../src/project/resolver.js';
import { writeProject } from '../support/project.js';

const root = writeProject('interface-calls', {
  'src/session-cache.ts': `export interface SessionCacheStrategy {
  delete(token: string): Promise<void>;
}
export interface Clock {
  now(): number;
}
`,
  'src/memory-session-cache.ts': `import type { Clock, SessionCacheStrategy } from './session-cache';
const cache = new Map<string, string>();
export class MemorySessionCache implements SessionCacheStrategy {
  async delete(token: string) {
    cache.delete(\`session:\${token}\`);
  }
}
export class CacheClock implements Clock {
  now() {
    cache.delete('clock');
    return Date.now();
  }
}
`,
  'src/sessions.service.ts': `import type { Clock, SessionCacheStrategy } from './session-cache';
export class SessionsService {
  private sessionCacheStrategy!: SessionCacheStrategy;
  private clock!: Clock;
  async revoke(token: string) {
    this.clock.now();
    await this.sessionCacheStrategy.delete(token);
  }
}
`,
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const program = ts.createProgram(
  ['session-cache.ts', 'memory-session-cache.ts', 'sessions.service.ts'].map((f) => join(root, 'src', f)),
  { strict: true, target: ts.ScriptTarget.ES2022 },
);
const files = program.getSourceFiles().filter((f) => f.fileName.startsWith(root));
const resolvers: [string, CallResolver][] = [
  [
    'the project resolver (CLI)',
    new ProjectResolver(ts, {
      project: { root, optionsOf: () => program.getCompilerOptions(), workspaces: new Map() },
      host: ts.sys,
      sourceFileAt: (path) => program.getSourceFile(path),
      tableFiles: () => files,
    }),
  ],
  ['the type checker (typed ESLint)', checkerResolver(ts, program)],
];

describe.each(resolvers)("calls through the project's own interface, with %s", (_name, resolver) => {
  it('runs the implementations for a member named like a cache, and not for another member', () => {
    const file = program.getSourceFile(join(root, 'src/sessions.service.ts'));
    const method = file?.statements
      .find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s))
      ?.members.find((m) => ts.isMethodDeclaration(m) && m.name.getText() === 'revoke');
    if (!file || !method) throw new Error('no SessionsService.revoke');
    const ctx = fileContext(file, { ts, options: resolveOptions(), resolver });
    const effects = summarize(ctx, method).filter((e) => e.kind === 'invalidate' || e.kind === 'opaque');
    expect(effects.map((e) => [e.kind, e.kind === 'opaque' ? e.description : e.through.join(' → ')])).toEqual([
      ['opaque', 'this.clock.now'],
      ['invalidate', 'MemorySessionCache.delete'],
    ]);
  });
});
