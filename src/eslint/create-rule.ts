import { ESLintUtils } from '@typescript-eslint/utils';
import type { TSESLint } from '@typescript-eslint/utils';
import type { RuleId } from '../analysis/catalogue.js';
import type { RuleOptions } from '../analysis/checks.js';
import { analysisFor, claimSetupReport } from './analysis.js';

export interface CacheAuditPluginDocs {
  /** In the `recommended` config (and so in `strict`). */
  readonly recommended: boolean;
  /** Needs the registry to say anything. */
  readonly requiresRegistry: boolean;
}

export const DOCS_BASE = 'https://github.com/cache-audit/cache-audit/blob/main/rules/';

/** The one rule creator: each rule's docs URL points at its own `.md` beside it. */
export const createRule = ESLintUtils.RuleCreator<CacheAuditPluginDocs>((name) => `${DOCS_BASE}${name}.md`);

/** The message every rule carries for problems of the configuration or the registry. */
export const SETUP_MESSAGE = 'cache-audit cannot check this file as configured: {{message}} ({{location}}).';

type Context = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** Reports a rule's findings for the file being linted (and, once per file, setup problems). */
export function reportFindings(context: Context, ruleId: RuleId, ruleOptions?: RuleOptions): void {
  const analysis = analysisFor(context);
  const { sourceCode } = context;
  if (analysis.facts.isRelevant && analysis.setupProblems.length > 0 && claimSetupReport(context)) {
    for (const problem of analysis.setupProblems) {
      context.report({
        loc: { line: 1, column: 0 },
        messageId: 'setup',
        data: { message: problem.message, location: `${problem.file}:${String(problem.line)}:${String(problem.column)}` },
      });
    }
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
