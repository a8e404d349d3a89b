import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { typescript } from '../ts/typescript.js';
import type ts from 'typescript';
import { readFileSync } from 'node:fs';
import { extractFacts } from '../analysis/extract.js';
import { resolveOptions } from '../analysis/options.js';
import { CONFIG_FILES } from '../config/load-config.js';
import { walkSources } from '../scanner/files.js';

interface InitIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

interface KeyDraft {
  name: string;
  template: string;
  dependsOn: string[];
  seenIn: Set<string>;
}

const camel = (segments: readonly string[]): string =>
  segments
    .map((s) => s.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')))
    .map((s, i) => (i === 0 ? s.charAt(0).toLowerCase() + s.slice(1) : s.charAt(0).toUpperCase() + s.slice(1)))
    .join('');

/**
 * `cache-audit init`: writes a starter configuration and a registry skeleton made from the
 * invalidation patterns and cache reads found in the code. Refuses to overwrite either.
 */
export function initProject(dir: string, io: InitIo): number {
  const existing = CONFIG_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
  if (existing) {
    io.stderr.write(`cache-audit: ${relative(process.cwd(), existing) || existing} exists already; init changes nothing.\n`);
    return 2;
  }
  const ts = typescript();
  const options = resolveOptions({});
  const drafts = new Map<string, KeyDraft>();
  const reads = new Set<string>();
  for (const file of walkSources(dir, [])) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const sourceFile: ts.SourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const facts = extractFacts(sourceFile, { ts, options });
    for (const read of facts.reads) if (read.name) reads.add(read.name);
    for (const invalidation of [...facts.otherInvalidations, ...facts.handlers.flatMap((h) => h.invalidations)]) {
      for (const fact of invalidation.patterns) {
        const pattern = fact.pattern;
        if (!pattern || pattern.errors.length > 0) continue;
        // The literal segments before the first wildcard name a family; the rest becomes parameters.
        const segments = pattern.source.split(':');
        const literal: string[] = [];
        for (const segment of segments) {
          if (/[*?[\]\\]/.test(segment)) break;
          literal.push(segment);
        }
        if (literal.length === 0 || literal.every((s) => /^\{\w+\}$/.test(s))) continue;
        const template = [...literal, ...(literal.length < segments.length ? ['{id}'] : [])].join(':');
        const name = camel(literal.filter((s) => !/^\{\w+\}$/.test(s)));
        const draft = drafts.get(template) ?? {
          name,
          template,
          dependsOn: literal[0] && !/^\{/.test(literal[0]) ? [literal[0]] : [],
          seenIn: new Set<string>(),
        };
        draft.seenIn.add(relative(dir, file).split('\\').join('/'));
        drafts.set(template, draft);
      }
    }
  }
  const registryPath = existsSync(join(dir, 'src')) ? join(dir, 'src', 'cache', 'keys.ts') : join(dir, 'cache-keys.ts');
  if (existsSync(registryPath)) {
    io.stderr.write(`cache-audit: ${relative(dir, registryPath)} exists already; init changes nothing.\n`);
    return 2;
  }
  const usedNames = new Set<string>();
  const entries = [...drafts.values()]
    .sort((a, b) => a.template.localeCompare(b.template))
    .map((draft) => {
      let name = draft.name || 'key';
      for (let i = 2; usedNames.has(name); i++) name = `${draft.name}${String(i)}`;
      usedNames.add(name);
      return `    // Seen in ${[...draft.seenIn].sort().join(', ')}. Check the parameters, set a ttl.
    ${name}: { template: '${draft.template}', dependsOn: ${JSON.stringify(draft.dependsOn).replace(/"/g, "'")} },`;
    });
  for (const name of [...reads].sort()) {
    if (usedNames.has(name)) continue;
    entries.push(`    // Read as '${name}' in the code; write its template.\n    // ${name}: { template: '…', ttl: 60, dependsOn: [] },`);
  }
  mkdirSync(dirname(registryPath), { recursive: true });
  writeFileSync(
    registryPath,
    `import { defineCacheRegistry } from 'cache-audit/runtime';

/** Every cached read of the application: templates, TTLs and the resources each depends on. */
export const cacheKeys = defineCacheRegistry({
  keys: {
${entries.join('\n')}
  },
});
`,
  );
  const configPath = join(dir, 'cache-audit.config.json');
  writeFileSync(
    configPath,
    `${JSON.stringify({ $schema: './node_modules/cache-audit/schema/config.schema.json', registry: relative(dir, registryPath).split('\\').join('/') }, null, 2)}\n`,
  );
  io.stdout.write(
    `Wrote ${relative(dir, configPath)} and ${relative(dir, registryPath)} (${String(drafts.size)} key families from the code). Review the registry, then run cache-audit.\n`,
  );
  return 0;
}
