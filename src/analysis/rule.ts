import type { JSONSchema } from '@typescript-eslint/utils';
import type { CheckInput, Finding, Suggestion } from './checks.js';
import type { Range } from './facts.js';
import { formatMessage } from './messages.js';

/** How a check reports a finding of its rule, at the rule's one severity. */
type Report<MessageIds extends string = string> = (
  messageId: MessageIds,
  range: Range,
  data: Record<string, string>,
  suggestions?: Suggestion[],
) => void;

/** What a rule is: the same for the ESLint plugin, the CLI, the reports and the docs. */
interface RuleMeta<MessageIds extends string> {
  /** `problem`: an error; `suggestion`: a warning. */
  readonly type: 'problem' | 'suggestion';
  /** One sentence that starts with Enforce, Require or Disallow, without its period. */
  readonly description: string;
  /** In the `recommended` config (and in `strict`); the CLI runs it without `--strict`. */
  readonly recommended: boolean;
  /** Needs the registry to say anything. */
  readonly requiresRegistry: boolean;
  /** Its findings may carry suggestions. */
  readonly hasSuggestions?: boolean;
  /** Whole sentences with `{{placeholders}}`. */
  readonly messages: Readonly<Record<MessageIds, string>>;
  /** The ESLint options (none when absent): `additionalProperties: false`, every property described. */
  readonly schema?: readonly JSONSchema.JSONSchema4[];
}

/**
 * One rule of the ESLint plugin and the CLI: its id, what it says, and its check, a pure function
 * of one file's facts, the registry and the options (no AST, no I/O). ESLint options (one object,
 * `defaultOptions[0]` when absent) reach the check as `input.ruleOptions[id]`, over the
 * configuration file's.
 */
export interface RuleDefinition<Id extends string = string, MessageIds extends string = string> {
  readonly id: Id;
  readonly meta: RuleMeta<MessageIds>;
  readonly defaultOptions?: readonly Readonly<Record<string, unknown>>[];
  readonly check: (input: CheckInput, report: Report<MessageIds>) => void;
}

/** Defines a rule (typed: the check reports only message ids the rule declares). */
export function defineRule<const Id extends string, MessageIds extends string>(
  definition: RuleDefinition<Id, MessageIds>,
): RuleDefinition<Id, MessageIds> {
  return definition;
}

/**
 * A finding of the whole project, which only the CLI can make (a registered key nothing
 * invalidates, a deletion no key can be): produced by the scanner, said here.
 */
export interface ProjectRuleDefinition<Id extends string = string, MessageIds extends string = string> {
  readonly id: Id;
  readonly meta: {
    /** What the finding is, one phrase without its period. */
    readonly description: string;
    /** Its level in code-scanning tools (SARIF): a warning, or a note for what the audit could not judge. */
    readonly level: 'warning' | 'note';
    readonly messages: Readonly<Record<MessageIds, string>>;
  };
}

/** Defines a finding of the whole project. */
export function defineProjectRule<const Id extends string, MessageIds extends string>(
  definition: ProjectRuleDefinition<Id, MessageIds>,
): ProjectRuleDefinition<Id, MessageIds> & { message(messageId: MessageIds, data: Readonly<Record<string, string>>): string } {
  return {
    ...definition,
    message: (messageId, data) => formatMessage(definition.meta.messages[messageId], data),
  };
}

/** Runs one rule's check over the facts of a file. Pure: no I/O. */
export function runCheck(rule: RuleDefinition, input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  rule.check(input, (messageId, range, data, suggestions = []) => {
    findings.push({ ruleId: rule.id, messageId, data, range, suggestions });
  });
  return findings.sort((a, b) => a.range.start - b.range.start || a.messageId.localeCompare(b.messageId));
}

/** The message of a finding of a rule, filled. */
export function messageOf(rule: RuleDefinition, finding: Pick<Finding, 'messageId' | 'data'>): string {
  const messages: Readonly<Record<string, string>> = rule.meta.messages;
  return formatMessage(messages[finding.messageId] ?? finding.messageId, finding.data);
}
