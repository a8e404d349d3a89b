// The subpath, not the package root: the root loads ESLint's own lib (about 70 modules) with it.
import { applyDefault, RuleCreator } from '@typescript-eslint/utils/eslint-utils';
import type { TSESLint } from '@typescript-eslint/utils';
import type { RuleOptions } from '../analysis/checks.js';
import type { RuleDefinition } from '../analysis/rule.js';
import { analysisFor, claimSetupProblems } from './analysis.js';
import type { FileAnalysis } from './analysis.js';

export interface CacheAuditPluginDocs {
  /** In the `recommended` config (and so in `strict`). */
  readonly recommended: boolean;
  /** Needs the registry to say anything. */
  readonly requiresRegistry: boolean;
}

const DOCS_BASE = 'https://github.com/cache-audit/cache-audit/blob/main/rules/';

const createWithDocs = RuleCreator<CacheAuditPluginDocs>((name) => `${DOCS_BASE}${name}.md`);

/** Options with their defaults, resolved once per distinct options value (not once per file and rule). */
const OPTIONS_CACHE_SIZE = 64;

type Options = readonly Readonly<Record<string, unknown>>[];

/** An ESLint rule of the plugin. */
export type PluginRule = ReturnType<typeof createWithDocs<Options, string>>;

/**
 * The one rule creator: the ESLint rule of a definition, whose docs URL points at the rule's `.md`
 * beside it. Typed from the package root, so that the declarations resolve without subpath
 * exports (`node10`). The options with their defaults are merged once per distinct value: ESLint
 * hands each file a fresh copy of the same options, and `RuleCreator` would clone and merge them
 * for every rule on every file.
 */
export function createRule(definition: RuleDefinition): PluginRule {
  const { id, meta } = definition;
  const defaults: Options = definition.defaultOptions ?? [];
  const created = createWithDocs<Options, string>({
    name: id,
    meta: {
      type: meta.type,
      docs: { description: meta.description, recommended: meta.recommended, requiresRegistry: meta.requiresRegistry },
      ...(meta.hasSuggestions === true ? { hasSuggestions: true } : {}),
      messages: { ...meta.messages, setup: SETUP_MESSAGE },
      ...(definition.defaultOptions ? { defaultOptions: definition.defaultOptions } : {}),
      schema: meta.schema ? [...meta.schema] : [],
    },
    create: () => ({}),
  });
  const resolved = new Map<string, Options>();
  return {
    ...created,
    create(context: Readonly<TSESLint.RuleContext<string, Options>>) {
      const key = context.options.length === 0 ? '' : JSON.stringify(context.options);
      let options = resolved.get(key);
      if (options === undefined) {
        if (resolved.size >= OPTIONS_CACHE_SIZE) resolved.clear();
        options = Object.freeze(applyDefault(defaults, context.options));
        resolved.set(key, options);
      }
      return findingsListener(context, definition, ownOptions(id, options[0]));
    },
  };
}

/** The ESLint options of a rule as the check reads them (`ruleOptions[id]`), over the configuration file's; none when unset. */
function ownOptions(id: string, options: Readonly<Record<string, unknown>> | undefined): RuleOptions | undefined {
  return options && Object.keys(options).length > 0 ? { [id]: options } : undefined;
}

/** The message every rule carries for problems of the configuration or the registry. */
const SETUP_MESSAGE = 'cache-audit cannot check this file as configured: {{message}} ({{location}}).';

type Context = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** Whether the linted file is where a setup problem is (a registry or configuration in TypeScript). */
function isSetupFile(context: Context, problems: readonly { readonly file: string }[]): boolean {
  return problems.some((problem) => problem.file === context.filename);
}

/**
 * A rule's listeners on the file being linted: none where the shared analysis (made on the first
 * rule's `create`, once per file for every rule) says there is nothing to report, otherwise one
 * `Program` listener that reports the rule's findings (and, once per run, setup problems).
 */
function findingsListener(context: Context, rule: RuleDefinition, ruleOptions?: RuleOptions): TSESLint.RuleListener {
  const analysis = analysisFor(context);
  const isSetupHere = isSetupFile(context, analysis.setupProblems);
  if (!analysis.facts.isRelevant && !isSetupHere) return {};
  return {
    Program() {
      reportFindings(context, analysis, rule, ruleOptions);
    },
  };
}

function reportFindings(context: Context, analysis: FileAnalysis, rule: RuleDefinition, ruleOptions?: RuleOptions): void {
  const { sourceCode } = context;
  for (const problem of claimSetupProblems(context, analysis.setupProblems)) {
    const isHere = problem.file === context.filename;
    context.report({
      loc: isHere ? { line: problem.line, column: problem.column - 1 } : { line: 1, column: 0 },
      messageId: 'setup',
      data: { message: problem.message, location: `${problem.file}:${String(problem.line)}:${String(problem.column)}` },
    });
  }
  for (const finding of analysis.findings(rule, ruleOptions)) {
    context.report({
      loc: { start: sourceCode.getLocFromIndex(finding.range.start), end: sourceCode.getLocFromIndex(finding.range.end) },
      messageId: finding.messageId,
      data: finding.data,
      suggest: finding.suggestions.map((suggestion) => ({
        messageId: suggestion.messageId,
        data: suggestion.data,
        fix: (fixer: TSESLint.RuleFixer) =>
          suggestion.fixes.map((fix) => fixer.replaceTextRange([fix.range.start, fix.range.end], fix.text)),
      })),
    });
  }
}
