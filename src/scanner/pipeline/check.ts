import { createHash } from 'node:crypto';
import { formatMessage, RULE_IDS, RULES } from '../../analysis/catalogue.js';
import type { RuleId } from '../../analysis/catalogue.js';
import { runCheck } from '../../analysis/checks.js';
import type { FileFacts } from '../../analysis/facts.js';
import type { ScanFinding, Severity } from '../result.js';
import type { ScanSetup } from './load.js';
import type { SourceReader } from './parse.js';
import { parseSuppressions } from './suppressions.js';

/** The findings of a scan, each with a fingerprint: the rule, the file, the text of the line, its occurrence. */
export class FindingSink {
  readonly findings: ScanFinding[] = [];
  private readonly fingerprints = new Map<string, number>();

  push(finding: Omit<ScanFinding, 'fingerprint'>, lineText: string): void {
    const base = `${finding.ruleId}\u0000${finding.file}\u0000${lineText.trim()}\u0000${finding.message}`;
    const occurrence = this.fingerprints.get(base) ?? 0;
    this.fingerprints.set(base, occurrence + 1);
    this.findings.push({
      ...finding,
      fingerprint: createHash('sha1')
        .update(`${base}\u0000${String(occurrence)}`)
        .digest('hex')
        .slice(0, 16),
    });
  }
}

function severityOf(ruleId: RuleId): Severity {
  return RULES[ruleId].type === 'problem' ? 'error' : 'warning';
}

/** Step 4: the per-file rules (those of the ESLint plugin) over the facts of each reported file. */
export function checkFiles(
  setup: ScanSetup,
  reader: SourceReader,
  facts: readonly FileFacts[],
  isReportedFile: (file: string) => boolean,
  strict: boolean | undefined,
  sink: FindingSink,
): void {
  const { registry, rel, messageRel } = setup;
  const ruleIds = RULE_IDS.filter((id) => strict || RULES[id].recommended);
  const families = facts.flatMap((f) => f.families);
  const locate = (file: string, offset: number): string =>
    `${messageRel(file)}:${String((reader.sourceOf(file)?.getLineAndCharacterOfPosition(offset).line ?? 0) + 1)}`;
  for (const fileFacts of facts) {
    if (!fileFacts.isRelevant || !isReportedFile(fileFacts.file)) continue;
    const text = reader.textOf(fileFacts.file) ?? '';
    const sourceFile = reader.sourceOf(fileFacts.file);
    if (!sourceFile) continue;
    const suppressions = parseSuppressions(text);
    for (const ruleId of ruleIds) {
      for (const finding of runCheck(ruleId, {
        facts: fileFacts,
        text,
        registry,
        options: setup.analysisOptions,
        ruleOptions: setup.config.rules ?? {},
        families,
        locate,
      })) {
        const start = sourceFile.getLineAndCharacterOfPosition(finding.range.start);
        const end = sourceFile.getLineAndCharacterOfPosition(finding.range.end);
        if (suppressions.isSuppressed(ruleId, start.line + 1)) continue;
        // The message's first line says what is wrong; the lines below it (made by the rule from
        // text it made one line) prove it.
        const [message = '', ...details] = formatMessage(
          (RULES[ruleId].messages as Readonly<Record<string, string>>)[finding.messageId] ?? finding.messageId,
          finding.data,
        ).split('\n');
        sink.push(
          {
            ruleId,
            severity: finding.severity ?? severityOf(ruleId),
            message,
            ...(details.length > 0 ? { details } : {}),
            file: rel(fileFacts.file),
            line: start.line + 1,
            column: start.character + 1,
            endLine: end.line + 1,
            endColumn: end.character + 1,
            via: viaOf(fileFacts, finding.range.start),
          },
          reader.linesOf(fileFacts.file)[start.line] ?? '',
        );
      }
    }
  }
}

/** The helper chain of the invalidation a finding is about, when it was reached through helpers. */
function viaOf(facts: FileFacts, offset: number): string[] {
  for (const handler of facts.handlers) {
    if (handler.nameRange.start === offset) {
      const through = handler.invalidations.find((i) => i.through.length > 0);
      return through ? [...through.through] : [];
    }
  }
  return [];
}
