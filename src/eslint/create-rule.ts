// The subpath, not the package root: the root loads ESLint's own lib (about 70 modules) with it.
import { applyDefault, RuleCreator } from '@typescript-eslint/utils/eslint-utils';
import type { TSESLint } from '@typescript-eslint/utils';
import type { RuleWithMetaAndName } from '@typescript-eslint/utils/eslint-utils';
import type { RuleId } from '../analysis/catalogue.js';
import type { RuleOptions } from '../analysis/checks.js';
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

/**
 * The one rule creator: each rule's docs URL points at its own `.md` beside it. Typed from the
 * package root, so that the declarations resolve without subpath exports (`node10`). The options
 * with their defaults are merged once per distinct value: ESLint hands each file a fresh copy of
 * the same options, and `RuleCreator` would clone and merge them for every rule on every file.
 */
export function createRule<Options extends readonly unknown[], MessageIds extends string>(
  rule: Readonly<RuleWithMetaAndName<Options, MessageIds, CacheAuditPluginDocs>>,
): ReturnType<typeof createWithDocs<Options, MessageIds>> {
  const created = createWithDocs(rule);
  const defaults: Readonly<Options> | readonly [] = rule.meta.defaultOptions ?? [];
  const resolved = new Map<string, Readonly<Options>>();
  return {
    ...created,
    create(context: Readonly<TSESLint.RuleContext<MessageIds, Options>>) {
      const key = context.options.length === 0 ? '' : JSON.stringify(context.options);
      let options = resolved.get(key);
      if (options === undefined) {
        if (resolved.size >= OPTIONS_CACHE_SIZE) resolved.clear();
        options = Object.freeze(applyDefault(defaults as Readonly<Options>, context.options));
        resolved.set(key, options);
      }
      return rule.create(context, options);
    },
  };
}

/** The message every rule carries for problems of the configuration or the registry. */
export const SETUP_MESSAGE = 'cache-audit cannot check this file as configured: {{message}} ({{location}}).';

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
export function findingsListener(context: Context, ruleId: RuleId, ruleOptions?: RuleOptions): TSESLint.RuleListener {
  const analysis = analysisFor(context);
  const isSetupHere = isSetupFile(context, analysis.setupProblems);
  if (!analysis.facts.isRelevant && !isSetupHere) return {};
  return {
    Program() {
      reportFindings(context, analysis, ruleId, ruleOptions);
    },
  };
}

function reportFindings(context: Context, analysis: FileAnalysis, ruleId: RuleId, ruleOptions?: RuleOptions): void {
  const { sourceCode } = context;
  for (const problem of claimSetupProblems(context, analysis.setupProblems)) {
    const isHere = problem.file === context.filename;
    context.report({
      loc: isHere ? { line: problem.line, column: problem.column - 1 } : { line: 1, column: 0 },
      messageId: 'setup',
      data: { message: problem.message, location: `${problem.file}:${String(problem.line)}:${String(problem.column)}` },
    });
  }
  for (const finding of analysis.findings(ruleId, ruleOptions)) {
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
