// The subpath, not the package root: the root loads ESLint's own lib (about 70 modules) with it.
import { RuleCreator } from '@typescript-eslint/utils/eslint-utils';
import type { ESLintUtils, TSESLint } from '@typescript-eslint/utils';
import type { RuleId } from '../analysis/catalogue.js';
import type { RuleOptions } from '../analysis/checks.js';
import { analysisFor, claimSetupProblems } from './analysis.js';

export interface CacheAuditPluginDocs {
  /** In the `recommended` config (and so in `strict`). */
  readonly recommended: boolean;
  /** Needs the registry to say anything. */
  readonly requiresRegistry: boolean;
}

export const DOCS_BASE = 'https://github.com/cache-audit/cache-audit/blob/main/rules/';

/**
 * The one rule creator: each rule's docs URL points at its own `.md` beside it. Typed from the
 * package root, so that the declarations resolve without subpath exports (`node10`).
 */
export const createRule: ReturnType<typeof ESLintUtils.RuleCreator<CacheAuditPluginDocs>> = RuleCreator<CacheAuditPluginDocs>(
  (name) => `${DOCS_BASE}${name}.md`,
);

/** The message every rule carries for problems of the configuration or the registry. */
export const SETUP_MESSAGE = 'cache-audit cannot check this file as configured: {{message}} ({{location}}).';

type Context = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** Whether the linted file is where a setup problem is (a registry or configuration in TypeScript). */
function isSetupFile(context: Context, problems: readonly { readonly file: string }[]): boolean {
  return problems.some((problem) => problem.file === context.filename);
}

/** Reports a rule's findings for the file being linted (and, once per run, setup problems). */
export function reportFindings(context: Context, ruleId: RuleId, ruleOptions?: RuleOptions): void {
  const analysis = analysisFor(context);
  const { sourceCode } = context;
  for (const problem of analysis.facts.isRelevant || isSetupFile(context, analysis.setupProblems)
    ? claimSetupProblems(context, analysis.setupProblems)
    : []) {
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
