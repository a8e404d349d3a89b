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
  'src/base-auth.resolver.ts': `import type { SessionsService } from './sessions.service';
export class BaseAuthResolver {
  constructor(protected sessions: SessionsService) {}
  async baseLogout(token: string) {
    await this.sessions.revoke(token);
  }
}
`,
  'src/shop-auth.resolver.ts': `import { BaseAuthResolver } from './base-auth.resolver';
export class ShopAuthResolver extends BaseAuthResolver {
  async logout(token: string) {
    return super.baseLogout(token);
  }
  async logoutEverywhere(token: string) {
    await this.sessions.revoke(token);
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
  ['session-cache.ts', 'memory-session-cache.ts', 'sessions.service.ts', 'base-auth.resolver.ts', 'shop-auth.resolver.ts'].map((f) =>
    join(root, 'src', f),
  ),
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

/** The invalidations and the calls not followed of a method of a class of the project, with what each runs through. */
function effectsOf(resolver: CallResolver, path: string, name: string): string[][] {
  const file = program.getSourceFile(join(root, 'src', path));
  const method = file?.statements
    .find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s))
    ?.members.find((m) => ts.isMethodDeclaration(m) && m.name.getText() === name);
  if (!file || !method) throw new Error(`no ${name} in ${path}`);
  const ctx = fileContext(file, { ts, options: resolveOptions(), resolver });
  return summarize(ctx, method)
    .filter((e) => e.kind === 'invalidate' || e.kind === 'opaque')
    .map((e) => [e.kind, e.kind === 'opaque' ? e.description : e.through.join(' → ')]);
}

describe.each(resolvers)("calls through the project's own interfaces and base classes, with %s", (_name, resolver) => {
  it('runs the implementations for a member named like a cache, and not for another member', () => {
    expect(effectsOf(resolver, 'sessions.service.ts', 'revoke')).toEqual([
      ['opaque', 'this.clock.now'],
      ['invalidate', 'MemorySessionCache.delete'],
    ]);
  });

  it("runs the base class's method of super.method(), and the members the base class is given", () => {
    expect(effectsOf(resolver, 'shop-auth.resolver.ts', 'logout')).toEqual([
      ['opaque', 'this.clock.now'],
      ['invalidate', 'BaseAuthResolver.baseLogout → SessionsService.revoke → MemorySessionCache.delete'],
    ]);
    expect(effectsOf(resolver, 'shop-auth.resolver.ts', 'logoutEverywhere')).toEqual([
      ['opaque', 'this.clock.now'],
      ['invalidate', 'SessionsService.revoke → MemorySessionCache.delete'],
    ]);
  });
});
